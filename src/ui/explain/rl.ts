// Stage 5, RL fine-tuning: the objective, the KL and its controller, per-token rewards, GAE,
// PPO's clipped update, over-optimisation, the before/after table, and DPO (with IPO and KTO).

import type { RlMetricPoint } from '../../engine/protocol';

import { RL_DEFAULTS } from '../../engine/protocol';
import type { Explanation, LiveState } from './types';
import { lastTwoWindows, mean, num, pct, plural } from './live';
import { LOADING } from './pretrain';

const NO_ITERATIONS =
  'No iterations yet: press Step to run one (sample answers, score them, update the policy) or Play to keep going.';

/** Mean of a metric over the first and the last `w` iterations of the run. */
function startAndNow(
  m: readonly RlMetricPoint[],
  pick: (p: RlMetricPoint) => number | null,
  w: number,
): { start: number; now: number } | null {
  const start = mean(m.slice(0, w).map(pick));
  const now = mean(m.slice(-w).map(pick));
  return start == null || now == null ? null : { start, now };
}

/** One sentence on the KL curve: negative, rising fast, barely moved, or steady. */
function klHint(m: readonly RlMetricPoint[]): string {
  if (m.length === 0) return 'The KL starts at 0: the policy begins as an exact copy of the fine-tuned model.';
  const kl = m[m.length - 1]['objective/kl'];
  if (kl < 0) {
    return `The KL estimate is ${num(kl, 3)}, below 0: with the k1 estimator one batch can dip under zero by chance; k3 never does.`;
  }
  const w = Math.min(5, Math.floor(m.length / 2));
  const win =
    w >= 2
      ? lastTwoWindows(
          m.map((p) => p['objective/kl']),
          w,
        )
      : null;
  if (win && win.now - win.before > Math.max(0.5, 0.5 * Math.abs(win.before))) {
    return (
      `KL is rising fast (${num(win.before)} → ${num(win.now)} nats over the last ${w} iterations): the policy is leaving ` +
      'the fine-tuned model quickly; raise β or lower the learning rate before its answers turn strange.'
    );
  }
  if (m.length >= 5 && Math.abs(kl) < 0.05) {
    return (
      `After ${m.length} iterations the KL is only ${num(kl, 3)}: the policy has barely moved; a larger ` +
      `learning rate or a smaller β lets it learn more.`
    );
  }
  return `KL is ${num(kl)} nats and changing slowly: the policy moves away from the fine-tuned model at a controlled pace.`;
}

export const RL: Explanation[] = [
  {
    id: 'rl',
    stage: 'rl',
    title: 'the RL objective',
    text:
      'The policy, a copy of the fine-tuned model, is trained to write answers the reward model scores highly. Left alone ' +
      'it would drift toward odd text that exploits the reward model, so the objective subtracts β times the KL ' +
      "divergence, a measure of how far the policy's word choices have moved from the fine-tuned model's. β sets the " +
      'exchange rate between reward and staying close.',
    formula:
      String.raw`\max_{\theta}\; \mathbb{E}_{x,\; y \sim \pi_\theta}\big[r_\phi(x, y)\big] \;-\; \beta\, ` +
      String.raw`\mathrm{KL}\big(\pi_\theta(\cdot \mid x) \,\|\, \pi_{\text{ref}}(\cdot \mid x)\big)`,
    lookFor(s: LiveState) {
      if (s.model == null) return LOADING;
      const diverged = s.rlState?.diverged;
      if (diverged)
        return `Training stopped because ${diverged.metric} blew up: roll back, then lower the learning rate or raise β.`;
      const m = s.rlMetrics ?? [];
      if (m.length === 0) return NO_ITERATIONS;
      const last = m[m.length - 1];
      return (
        `After ${plural(last.iteration, 'iteration')} the reward model's score is ${num(last['objective/scores'])} at a KL of ` +
        `${num(last['objective/kl'])} nats from the fine-tuned model; the charts below show whether that trade is healthy.`
      );
    },
  },
  {
    id: 'rl-kl',
    stage: 'rl',
    title: 'KL drift and its estimators',
    text:
      "The KL is measured on the policy's own samples: for each sampled token, from the probabilities the policy and the " +
      'frozen fine-tuned model give it, then summed over the answer. k1 is the plain log ratio; it is right on average but ' +
      'can be negative for a single token. k3 uses the ratio the other way round, is never negative and is less noisy; ' +
      'both average out to the same KL.',
    formula:
      String.raw`k_1 = \log\frac{\pi_\theta(y_t)}{\pi_{\text{ref}}(y_t)}, \qquad k_3 = (\rho_t - 1) - \log ` +
      String.raw`\rho_t, \quad \rho_t = \frac{\pi_{\text{ref}}(y_t)}{\pi_\theta(y_t)}`,
    lookFor: (s) => klHint(s.rlMetrics ?? []),
  },
  {
    id: 'rl-beta',
    stage: 'rl',
    title: 'the adaptive KL controller',
    text:
      'β is the price of each nat of KL. With the adaptive controller on, β is corrected after every iteration: it grows ' +
      'when the measured KL is above the target and shrinks when it is below, and the relative change per update is at ' +
      'most 0.2 · n/H (n samples, horizon H). That holds the KL near a budget you choose instead of making you guess β.',
    formula:
      String.raw`e = \operatorname{clip}\!\left(\frac{\mathrm{KL}}{\mathrm{KL}_{\text{target}}} - 1,\; ` +
      String.raw`-0.2,\; 0.2\right), \qquad \beta \leftarrow \beta\left(1 + e\,\frac{n}{H}\right)`,
    lookFor(s: LiveState) {
      const settings = s.rlState?.settings;
      const m = s.rlMetrics ?? [];
      const last = m.length ? m[m.length - 1] : null;
      const beta = last?.beta ?? settings?.beta;
      if (!settings || beta == null) return 'β sets how much each nat of drift from the fine-tuned model costs.';
      if (!settings.adaptiveKl) {
        return (
          `β is fixed at ${num(beta, 3)}. Turn on the adaptive controller in the RL settings to steer the KL ` +
          `toward a target instead.`
        );
      }
      const target = settings.targetKl;
      if (!last) return `β starts at ${num(beta, 3)} and will move to hold the KL near ${num(target)} nats.`;
      const kl = last['objective/kl'];
      if (kl > target * 1.05)
        return `KL ${num(kl)} is above the target ${num(target)}, so β (now ${num(beta, 3)}) is rising to pull the policy back.`;
      if (kl < target * 0.95)
        return `KL ${num(kl)} is below the target ${num(target)}, so β (now ${num(beta, 3)}) is falling to let the policy explore.`;
      return `KL ${num(kl)} is on the target ${num(target)}, so β holds near ${num(beta, 3)}.`;
    },
  },
  {
    id: 'rl-rewards',
    stage: 'rl',
    title: 'per-token rewards',
    text:
      'PPO wants a reward at every token. Each token pays a small fine, β times its KL estimate, for moving away from the ' +
      "fine-tuned model, and the reward model's score of the whole answer is added at the last token. The chart shows the " +
      'average score, the score minus the fines (what PPO actually maximises), and the gold score when a gold labeler is chosen.',
    formula: String.raw`r_t = -\beta\, \mathrm{KL}_t \;+\; \mathbb{1}[t = T]\; r_\phi(x, y)`,
    lookFor(s: LiveState) {
      const m = s.rlMetrics ?? [];
      if (m.length === 0) return NO_ITERATIONS;
      if (m.length < 4)
        return `Only ${plural(m.length, 'iteration')}: the score is noisy from batch to batch; give it 10 or 20 to show a trend.`;
      const w = Math.min(5, Math.floor(m.length / 2));
      const score = startAndNow(m, (p) => p['objective/scores'], w);
      const gold = startAndNow(m, (p) => p.gold, w);
      const ds = score ? score.now - score.start : 0;
      const dg = gold ? gold.now - gold.start : null;
      if (ds > 0.05 && dg != null && dg < -0.05) {
        return (
          `Reward hacking: the reward model's score rose by ${num(ds)} while the gold score fell by ${num(-dg)}; the policy ` +
          "is learning the reward model's mistakes, so stop here or raise β."
        );
      }
      if (ds > 0.05) {
        const gold = dg != null ? ` and the gold score by ${num(dg)}` : '';
        return `The score has risen by ${num(ds)} since the start${gold}: the policy is learning what the reward model likes.`;
      }
      if (ds < -0.05)
        return `The score has dropped by ${num(-ds)}: the updates may be too large (lower the learning rate) or the KL penalty too strong.`;
      return 'The score is flat so far: a smaller β or a larger learning rate lets the policy move further.';
    },
  },
  {
    id: 'rl-overopt',
    stage: 'rl',
    title: 'over-optimisation',
    text:
      'The reward model only approximates what we really want, which the gold score stands in for here. Plotting both ' +
      'against d, the square root of the KL, shows the gap opening as the policy moves away: at first both rise, later ' +
      'the proxy keeps rising while the gold score bends down. Published measurements of this effect fit curves of the ' +
      'shape below, which rise, peak and fall.',
    formula: String.raw`d = \sqrt{\mathrm{KL}(\pi_\theta \,\|\, \pi_{\text{ref}})}, \qquad R_{\text{gold}}(d) \approx d\,(a - b \log d)`,
    lookFor(s: LiveState) {
      const m = (s.rlMetrics ?? []).filter((p) => p.gold != null && Number.isFinite(p.gold));
      if (m.length === 0) {
        return s.labelerSettings?.goldLabeler
          ? 'No gold scores yet: they are measured as iterations run.'
          : 'Pick a gold labeler in Preferences: this chart needs a true score to compare the reward model with.';
      }
      const d = (p: RlMetricPoint) => Math.sqrt(Math.max(p['objective/kl'], 0));
      let peak = m[0];
      for (const p of m) if ((p.gold as number) > (peak.gold as number)) peak = p;
      const last = m[m.length - 1];
      const drop = (peak.gold as number) - (last.gold as number);
      if (last !== peak && drop > 0.1 && d(last) > d(peak)) {
        const proxyUp = last['objective/scores'] > peak['objective/scores'];
        return (
          `The gold score peaked at √KL ≈ ${num(d(peak))} and has fallen by ${num(drop)} since` +
          `${proxyUp ? ' while the proxy kept rising' : ''}: ` +
          'beyond that distance the policy is fooling the reward model.'
        );
      }
      return `The gold score is ${num(last.gold as number)} at √KL ≈ ${num(d(last))} and has not turned down: no over-optimisation yet.`;
    },
  },
  {
    id: 'rl-ppo',
    stage: 'rl',
    title: 'the clipped PPO update',
    text:
      'PPO reuses each batch of samples for several gradient steps. ρ_t says how much more (or less) likely the updated ' +
      'policy makes a sampled token than the policy that sampled it, and A_t says whether that token turned out better ' +
      "(positive) or worse than expected. Clipping ρ_t to [1 − ε, 1 + ε] removes any reward for moving a token's " +
      'probability further in one update; the clip fraction counts how often that happened.',
    formula:
      String.raw`L^{\text{CLIP}}(\theta) = \mathbb{E}_t\Big[\min\big(\rho_t A_t,\; ` +
      String.raw`\operatorname{clip}(\rho_t, 1 - \varepsilon, 1 + \varepsilon)\, A_t\big)\Big], ` +
      String.raw`\quad \rho_t = \frac{\pi_\theta(y_t)}{\pi_{\text{old}}(y_t)}`,
    lookFor(s: LiveState) {
      const m = s.rlMetrics ?? [];
      if (m.length === 0) return NO_ITERATIONS;
      const last = m[m.length - 1];
      const cf = last['policy/clipfrac_avg'];
      const akl = last['policy/approxkl_avg'];
      const ev = last['val/explained_variance'];
      if (cf > 0.2) {
        return (
          `Clip fraction ${num(cf)}: more than a fifth of the tokens hit the clip, so each update tries to ` +
          `move too far; lower the learning rate or the PPO epochs.`
        );
      }
      if (akl > 0.05)
        return `Approx. KL between the old and new policy is ${num(akl, 3)}: a big jump for one update; lower the learning rate.`;
      if (last.algorithm === 'ppo' && ev < 0) {
        return (
          `Explained variance is ${num(ev)}, below 0: the value head still predicts worse than a constant, so the ` +
          'advantages are noisy; it usually improves over the first iterations.'
        );
      }
      return `Clip fraction ${num(cf)} and approx. KL ${num(akl, 3)} are small: the updates are taking modest, stable steps.`;
    },
  },
  {
    id: 'rl-tokens',
    stage: 'rl',
    title: 'advantages (GAE)',
    text:
      'The advantage A_t of a token measures how much better things went after it than the value head predicted. δ_t is ' +
      'the one-step surprise: the reward at t plus the predicted value of the next position, minus the predicted value ' +
      'here. GAE adds up the future surprises, shrinking each by γλ per step: λ near 1 trusts what actually happened, ' +
      'λ near 0 trusts the value head.',
    formula: String.raw`\delta_t = r_t + \gamma V(s_{t+1}) - V(s_t), \qquad A_t = \sum_{l \ge 0} (\gamma\lambda)^l\, \delta_{t+l}`,
    lookFor(s: LiveState) {
      const detail = s.rlDetail;
      let best: { token: string; kl: number } | null = null;
      for (const r of detail?.responses ?? []) {
        for (const t of r.tokens)
          if (Number.isFinite(t.kl) && (!best || t.kl > best.kl)) best = { token: t.token, kl: t.kl };
      }
      if (!best) return 'Press Step: a few answers of the latest iteration appear here, one coloured box per token.';
      const shown = best.token.trim() === '' ? 'a blank token' : `the token "${best.token.trim()}"`;
      return (
        `In the latest iteration ${shown} has the largest KL (${num(best.kl, 3)}): that is where the policy now differs most ` +
        'from the fine-tuned model. Click it to compare the probabilities.'
      );
    },
  },
  {
    id: 'rl-clipping',
    stage: 'rl',
    title: 'which tokens were clipped',
    text:
      'Each dot is one token of the last minibatch, placed by its advantage and by the ratio ρ of its new to its old ' +
      'probability. When a good token (A > 0) is already more than 1 + ε times as likely, or a bad one (A < 0) already ' +
      'less than 1 − ε times, the clipped objective stops pushing it. Those dots land in the shaded zones.',
    formula:
      String.raw`\text{no gradient when}\;\; \big(A_t > 0 \,\wedge\, \rho_t > 1 + \varepsilon\big) \;\vee\; ` +
      String.raw`\big(A_t < 0 \,\wedge\, \rho_t < 1 - \varepsilon\big)`,
    lookFor(s: LiveState) {
      const pts = s.rlDetail?.scatter ?? [];
      if (pts.length === 0) return 'Press Step: each dot will be one token of the last minibatch.';
      const eps = s.rlDetail?.clipRange ?? RL_DEFAULTS.clipRange;
      const share = pts.filter((p) => p.clipped).length / pts.length;
      if (share > 0.2) {
        return (
          `${pct(share)} of the tokens in the last minibatch were clipped: the update wanted to move further ` +
          `than ε = ${num(eps)} allows; lower the learning rate or the epochs.`
        );
      }
      if (share === 0)
        return `No token was clipped: every ratio stayed inside 1 ± ${num(eps)}, so the whole gradient was used.`;
      return `${pct(share)} of the tokens were clipped (ε = ${num(eps)}): a few are normal, they keep a single update from overshooting.`;
    },
  },
  {
    id: 'rl-before-after',
    stage: 'rl',
    title: 'before and after',
    text:
      'The same prompts are answered by the frozen fine-tuned model and by the current policy, and the reward model scores ' +
      "both. The win rate is the share of prompts where the policy's answer scores higher. A high win rate only says the " +
      'reward model is pleased; reading the answers tells you whether they are actually better.',
    formula:
      String.raw`\text{win rate} = \frac{1}{N}\sum_{i=1}^{N} \mathbb{1}\Big[r_\phi\big(x_i, ` +
      String.raw`y_i^{\text{RL}}\big) > r_\phi\big(x_i, y_i^{\text{ref}}\big)\Big]`,
    lookFor(s: LiveState) {
      const rows = s.beforeAfter?.rows ?? [];
      if (rows.length === 0) return 'Press "Compare with the reference" to have both models answer the same prompts.';
      const wins = rows.filter((r) => r.policyReward > r.referenceReward).length;
      if (wins >= rows.length / 2) {
        return (
          `The policy scores higher on ${wins} of ${rows.length} prompts. Now read them: if the ` +
          `higher-scoring answers do not read better, the reward model is being gamed.`
        );
      }
      return (
        `The policy scores higher on only ${wins} of ${rows.length} prompts: RL has not beaten the fine-tuned ` +
        `model yet; run more iterations.`
      );
    },
  },
  {
    id: 'rl-dpo',
    stage: 'rl',
    title: 'the DPO loss',
    text:
      'DPO skips the reward model and the sampling and trains the policy straight on your comparisons. For each pair it ' +
      "measures how much more the policy has raised the chosen answer's log-probability than the rejected one's, both " +
      "relative to the frozen reference, and applies the reward model's −log σ loss to β times that difference. The loss " +
      'is log 2 while the policy still equals the reference. KTO judges each answer on its own instead: a chosen one ' +
      "should gain log-probability by more than the policy's overall drift from the reference, a rejected one should " +
      'lose more than that, and its loss 1 − σ starts at 0.5 and flattens once an answer is clearly placed.',
    formula:
      String.raw`\mathcal{L}_{\text{DPO}} = -\log\sigma\!\left(\beta\left[\log\frac{\pi_\theta(y_c \mid ` +
      String.raw`x)}{\pi_{\text{ref}}(y_c \mid x)} - \log\frac{\pi_\theta(y_r \mid x)}{\pi_{\text{ref}}(y_r \mid x)}\right]\right)`,
    lookFor(s: LiveState) {
      const m = (s.rlMetrics ?? []).filter((p) => p['loss/dpo'] != null || p['loss/kto'] != null);
      if (m.length === 0)
        return 'Choose DPO, IPO or KTO in the RL settings to train straight from your comparisons, with no reward model and no sampling.';
      const last = m[m.length - 1];
      if (last['loss/kto'] != null) return ktoLookFor(last);
      const loss = last['loss/dpo'] as number;
      const acc = last['rewards/accuracies'];
      const ordered = acc != null && Number.isFinite(acc) ? ` with ${pct(acc)} of pairs ordered right` : '';
      if (last.algorithm === 'ipo')
        return `IPO loss ${num(loss, 3)}${ordered}: IPO aims for a fixed margin instead of pushing it ever wider.`;
      if (loss < 0.2) {
        return `DPO loss ${num(loss, 3)} is far below log 2${ordered}: with few comparisons this often means memorising, so watch the KL.`;
      }
      return `DPO loss ${num(loss, 3)} (it starts at log 2 ≈ 0.693)${ordered}.`;
    },
  },
];

/** What a KTO point says: its loss against its start of 0.5, and how far chosen answers' implicit rewards lead. */
function ktoLookFor(p: RlMetricPoint): string {
  const loss = `KTO loss ${num(p['loss/kto'] as number, 3)} (it starts at 0.5)`;
  const margin = p['rewards/margins'];
  if (margin == null || !Number.isFinite(margin)) return `${loss}; this batch held answers of one kind only.`;
  if (margin <= 0)
    return `${loss}: rejected answers still gain as much as chosen ones, so it has not separated them yet.`;
  const drift = `the reference point z0 (the policy's drift) is ${num(p['kto/kl'] ?? 0, 3)}`;
  return `${loss}: chosen answers lead rejected ones by ${num(margin, 3)} in implicit reward β log(π / π_ref); ${drift}.`;
}
