// The parameter forms and the buttons, built from the tables in state.js. Each control has the
// parameter's key as its id, a label, and a message slot (#<key>-problem) for a rejected value.
// Parameters of group 'url' have no form control (the slider and the page's layout own them).
import { ENABLED_IN } from './page-states.js';
import { ACTIONS, PARAMS, appliesTo, formatValue, parseValue, problemMessage } from './state.js';

function inputFor(param) {
  if (param.type === 'enum') {
    const select = document.createElement('select');
    for (const [value, text] of Object.entries(param.options)) select.add(new Option(text, value));
    return select;
  }
  const input = document.createElement('input');
  if (param.type === 'bool') {
    input.type = 'checkbox';
  } else {
    // Text, not type=number, for numbers too: a number input hands the page "" for "abc", and the
    // message must name what was typed.
    input.type = 'text';
    input.size = 14;
    input.autocomplete = 'off';
    if (param.type === 'int') input.inputMode = 'numeric';
    if (param.type === 'float') input.inputMode = 'decimal';
  }
  return input;
}

const textOf = (input) => (input.type === 'checkbox' ? (input.checked ? '1' : '0') : input.value);

const FORM_PARAMS = PARAMS.filter((p) => p.group !== 'url');

/**
 * Builds each parameter's control in the element with id `params-<group>`, and each button in
 * the element with id `<panel>`. `onChange(key, value)` gets every edit, with the default in
 * place of a rejected value; `onAction(id)` every button press.
 */
export function buildForm({ onChange, onAction }) {
  for (const param of FORM_PARAMS) {
    const row = document.createElement('div');
    row.className = 'param';
    row.id = `${param.key}-row`;
    const label = document.createElement('label');
    label.htmlFor = param.key;
    label.textContent = param.label;
    const input = inputFor(param);
    input.id = param.key;
    input.name = param.key;
    const problem = document.createElement('span');
    problem.id = `${param.key}-problem`;
    problem.className = 'param-problem';
    problem.setAttribute('role', 'alert');
    problem.hidden = true;
    row.append(label, input);
    // Every term is explained in visible text: touch screens show no tooltips.
    if (param.help) {
      const help = document.createElement('p');
      help.id = `${param.key}-help`;
      help.className = 'param-help';
      help.textContent = param.help;
      row.append(help);
    }
    input.setAttribute('aria-describedby', param.help ? `${param.key}-help ${problem.id}` : problem.id);
    input.addEventListener('change', () => {
      const text = textOf(input);
      const { value, problem: why } = parseValue(param, text);
      showProblem(param.key, why && problemMessage(param, text, why));
      const used = why ? param.default : value;
      // The field shows the value used, not the text refused (the message quotes that).
      if (why) input.value = formatValue(param, used);
      onChange(param.key, used);
    });
    row.append(problem);
    document.getElementById(`params-${param.group}`).append(row);
  }
  for (const action of ACTIONS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.id = action.id;
    button.textContent = action.label;
    button.title = action.help;
    button.addEventListener('click', () => onAction(action.id));
    document.getElementById(action.panel).append(button);
  }
}

/** Puts `state` into the controls. */
export function showValues(state) {
  for (const param of FORM_PARAMS) {
    const input = document.getElementById(param.key);
    if (param.type === 'bool') input.checked = state[param.key];
    else input.value = formatValue(param, state[param.key]);
  }
}

/**
 * Replaces the options of select `key` beyond its table's own with `extra` ([{value, label}]):
 * the data sets added in this browser.
 */
export function setExtraOptions(key, extra) {
  const select = document.getElementById(key);
  const own = PARAMS.find((p) => p.key === key).options;
  for (const option of [...select.options]) if (!Object.hasOwn(own, option.value)) option.remove();
  for (const { value, label } of extra) select.add(new Option(label, value));
}

/** Shows the controls that apply to `model` (the latent width is the autoencoder's, …). */
export function showModelControls(model) {
  for (const param of FORM_PARAMS) {
    document.getElementById(`${param.key}-row`).hidden = !appliesTo(param, model);
  }
}

/** The message next to control `key`, or none. */
function showProblem(key, message) {
  const slot = document.getElementById(`${key}-problem`);
  slot.textContent = message || '';
  slot.hidden = !message;
}

/**
 * What `readState` rejected: next to each control, and in the notice for parameters without a
 * control and for unknown keys.
 */
export function showProblems({ problems, unknown }) {
  const inNotice = [];
  for (const param of PARAMS) {
    const message = problems[param.key];
    if (param.group !== 'url') showProblem(param.key, message);
    else if (message) inNotice.push(`${param.key}: ${message}`);
  }
  if (unknown.length) inNotice.push(`unknown URL parameters ignored: ${unknown.map((k) => `"${k}"`).join(', ')}`);
  const notice = document.getElementById('notice');
  notice.textContent = inNotice.join(' ');
  notice.hidden = inNotice.length === 0;
}

/** Enables what `ENABLED_IN` allows in page state `pageState`. */
export function enableFor(pageState) {
  for (const action of ACTIONS) {
    document.getElementById(action.id).disabled = !ENABLED_IN[action.id].includes(pageState);
  }
  const editable = ENABLED_IN.params.includes(pageState);
  for (const param of FORM_PARAMS) document.getElementById(param.key).disabled = !editable;
  document.getElementById('import-weights').disabled = !ENABLED_IN['import-weights'].includes(pageState);
  for (const id of ['import-data', 'import-data-folder']) {
    document.getElementById(id).disabled = !ENABLED_IN['import-data'].includes(pageState);
  }
  document.getElementById('pause').textContent = pageState === 'paused' ? 'Resume' : 'Pause';
}
