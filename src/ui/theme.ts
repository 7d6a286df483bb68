// Light, dark, or whatever the system prefers. The choice is stored in localStorage under
// 'rlhf-theme' and applied as data-theme on <html> ("system" is resolved here, and followed when
// the system's preference changes); styles.css holds the colours of both themes.

export type ThemeChoice = 'light' | 'dark' | 'system';
export const THEME_KEY = 'rlhf-theme';
export const THEME_CHOICES: { id: ThemeChoice; label: string }[] = [
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
  { id: 'system', label: 'System' },
];

export function parseTheme(v: unknown): ThemeChoice {
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** The stored choice ('system' when none, or when storage is unavailable). */
export function loadTheme(): ThemeChoice {
  try {
    return parseTheme(globalThis.localStorage?.getItem(THEME_KEY));
  } catch {
    return 'system';
  }
}

const darkQuery = () => globalThis.matchMedia?.('(prefers-color-scheme: dark)');
let current: ThemeChoice = 'system';
let following = false;

/** The theme the page shows for a choice: "system" becomes the system's light or dark. */
function resolve(choice: ThemeChoice): 'light' | 'dark' {
  return choice === 'system' ? (darkQuery()?.matches ? 'dark' : 'light') : choice;
}

/** Shows the page in `choice` and remembers it. */
export function setTheme(choice: ThemeChoice, save = true): void {
  current = choice;
  const root = globalThis.document?.documentElement;
  if (root) root.dataset.theme = resolve(choice);
  if (!following) {
    following = true;
    darkQuery()?.addEventListener?.('change', () => {
      if (current === 'system' && root) root.dataset.theme = resolve('system');
    });
  }
  if (!save) return;
  try {
    if (choice === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
    else globalThis.localStorage?.setItem(THEME_KEY, choice);
  } catch {
    // Private mode or blocked storage: the choice lasts for this page only.
  }
}
