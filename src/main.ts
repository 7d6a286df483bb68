// Wires the page together: one training worker, one state object, one Svelte app.
// Clicks become commands to the worker; its events flow into the state; the UI draws the state.

import { mount } from 'svelte';
import App from './ui/App.svelte';
import 'katex/dist/katex.min.css'; // fonts and layout of the formulas in the "How this works" boxes
import './ui/styles.css';
import type { Command } from './engine/protocol';
import { createEngineClient } from './ui/engineClient';
import { PlaygroundState } from './ui/state.svelte';
import { saveBytes, saveText } from './ui/download';

const client = createEngineClient();
const state = new PlaygroundState();

client.onEvent((e) => {
  state.handle(e);
  if (e.type === 'checkpointFile') saveBytes(e.bytes, e.filename);
  if (e.type === 'preferencesFile' || e.type === 'ratingsFile' || e.type === 'demonstrationsFile')
    saveText(e.text, e.filename);
  if (e.type === 'sessionFile') saveBytes(e.bytes, e.filename);
});

function send(cmd: Command): void {
  state.noteSent(cmd);
  client.send(cmd);
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// App sends the first `init` itself, with the scenario, size and seed of the page's link (linkSync.svelte.ts).
// It mounts in a task of its own: evaluating the modules, the end of parsing (where Chrome lays the
// page out) and the first mount would otherwise add up to one long task (60-110 ms measured).
setTimeout(() => mount(App, { target, props: { app: state, send } }), 0);
