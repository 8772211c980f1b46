// Building the page. Data from the API only ever becomes text nodes or attribute values set
// through the DOM, never markup: nothing the API returns can run.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let fieldCount = 0;
// A labelled field: <label for> tied to the control by id.
export function field(labelText, control, hint) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const parts = [el('label', { for: id }, labelText), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(el('small', { id: hintId, class: 'hint' }, hint));
  }
  return el('div', { class: 'field' }, parts);
}

const digitsCache = new Map();
function fractionDigits(ccy) {
  if (!digitsCache.has(ccy)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: ccy }).resolvedOptions().maximumFractionDigits;
    } catch {
      /* unknown code: two digits */
    }
    digitsCache.set(ccy, digits);
  }
  return digitsCache.get(ccy);
}

// Minor units -> "1,234.50 GBP".
export function money(minor, ccy) {
  if (typeof minor !== 'number') return '—';
  const digits = fractionDigits(ccy);
  const value = minor / 10 ** digits;
  return `${value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${ccy}`;
}

// "12.50" in the invoice's currency -> minor units (integer), or null when not a number.
export function toMinor(text, ccy) {
  const digits = fractionDigits(ccy);
  const t = String(text).trim().replace(/,/g, '');
  if (!new RegExp(`^\\d+(\\.\\d{0,${digits}})?$`).test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || 0);
}

// "2026-12-03T00:00:00.000Z" or "2026-12-03" -> "2026-12-03".
export function day(value) {
  return typeof value === 'string' && value.length >= 10 ? value.slice(0, 10) : '—';
}

export function daysBetween(a, b) {
  return Math.round((Date.parse(day(b)) - Date.parse(day(a))) / 86400000);
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

// An error in words, announced to screen readers.
export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert' }, error && error.message ? error.message : String(error));
}
