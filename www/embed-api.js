// The page's messages with a course page that embeds it in an iframe (docs/embedding.md). It
// listens only to the origins the URL allows (#parent=https://…, state.js) and only to its parent
// frame, and posts its events to those origins alone. Every message carries `api` and `version`.
//
// parent → page ({api: 'bayes-renorm', version: 1, type, …})
//   {type: 'set', settings: {key: value}}   parameters by their URL keys (state.js), as text or
//                                           numbers; a refused value comes back as an 'error'
//   {type: 'train'}                         press Train
//   {type: 'lambda', lambda}                the cutoff: a number, 'zero', 'knee' or 'all'
//   {type: 'lambda', removed}               or the cutoff that removes this many weights
//   {type: 'tour', step}                    open the tour at step 1-8 (0 closes it)
//   {type: 'export', what}                  'csv' | 'json' | 'png' | 'weights' | 'fisher': the file
//                                           comes back as a 'file' event, not a download
// page → parent ({api: 'bayes-renorm', version: 1, type, …})
//   {type: 'hello', state}                  listening; the page state
//   {type: 'state', state}                  every page state change (page-states.js)
//   {type: 'progress', stage, done, total}  a job's progress
//   {type: 'ready', summary}                an analysis is shown: {testLoss, lossName, lambdaStar,
//                                           removedAtKnee, fractionAtKnee, total, model}
//   {type: 'lambda', lambda, removed}       the cutoff moved (slider, stop or command)
//   {type: 'tour', step}                    the tour's step (0: closed)
//   {type: 'file', name, mime, bytes}       an export asked for
//   {type: 'error', message, command}       a command refused, or a job that failed

export const API = 'bayes-renorm';
export const API_VERSION = 1;

let allowed = [];
let handlers = {};
let exportsAsked = 0;

/**
 * Listens to the parent frame from the `origins` allowed (none: it listens to no one);
 * `commands[type](message)` runs a command and returns a refusal sentence or nothing.
 */
export function listenToParent(origins, commands) {
  allowed = origins;
  handlers = commands;
  if (allowed.length === 0 || window.parent === window) return;
  addEventListener('message', onMessage);
}

function onMessage(event) {
  if (event.source !== window.parent || !allowed.includes(event.origin)) return;
  const message = event.data;
  if (message?.api !== API) return;
  const command = message.type;
  let refusal;
  if (message.version !== API_VERSION) {
    refusal = `this page speaks version ${API_VERSION} of the messages, not ${JSON.stringify(message.version)}`;
  } else if (!Object.hasOwn(handlers, command)) {
    refusal = `there is no command '${command}'; the commands are ${Object.keys(handlers).join(', ')}`;
  } else {
    if (command === 'export') exportsAsked += 1;
    try {
      refusal = handlers[command](message);
    } catch (error) {
      refusal = error.message ?? String(error);
    }
    if (refusal && command === 'export') exportsAsked -= 1;
  }
  if (refusal) tell('error', { command, message: refusal });
}

/** Posts event `type` to the parent, to each allowed origin (the browser drops the others). */
export function tell(type, fields = {}) {
  if (allowed.length === 0 || window.parent === window) return;
  for (const origin of allowed) window.parent.postMessage({ api: API, version: API_VERSION, type, ...fields }, origin);
}

/** An exported file: the parent's, when it asked for one (true), else the page's to download. */
export function takeExport(file) {
  if (exportsAsked === 0) return false;
  exportsAsked -= 1;
  tell('file', file);
  return true;
}
