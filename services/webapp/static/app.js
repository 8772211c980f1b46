// TIM's browser app: hash routes, one render function per page.
import { ApiError, Submission, authorizationValue, call, credential, forgetCredential, query, setCredential } from './api.js';
import { day, daysBetween, el, errorBox, field, money, replace, toMinor, today } from './dom.js';

const main = document.getElementById('main');
const statusLine = document.getElementById('status');
const signOut = document.getElementById('sign-out');

const LATE_RISK_DAYS = 7;

function say(text) {
  statusLine.textContent = text;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/invoices';
  const [path, q = ''] = raw.split('?');
  return { path, params: new URLSearchParams(q) };
}

function go(path, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString() : '';
  const target = q ? `${path}?${q}` : path;
  // The same address again (the same filter submitted twice) still reloads the page.
  if (location.hash === `#${target}`) route();
  else location.hash = target;
}

function heading(text) {
  return el('h1', { tabindex: '-1' }, text);
}

// Shows a page: replaces <main>, moves focus to its heading (keyboard and screen reader users
// land on the new content).
function show(...children) {
  replace(main, ...children);
  const h = main.querySelector('h1');
  if (h) h.focus({ preventScroll: true });
}

// An API failure: 401 sends the person back to sign in, anything else is shown in words.
function failure(error, where) {
  if (error instanceof ApiError && error.status === 401) {
    forgetCredential();
    renderSignIn(error.message);
    return null;
  }
  const box = errorBox(error);
  if (where) replace(where, box);
  return box;
}

// --- sign in ----------------------------------------------------------------------------------

function renderSignIn(problem) {
  signOut.hidden = true;
  const input = el('input', { type: 'password', name: 'credential', autocomplete: 'off', required: true, spellcheck: 'false' });
  const out = el('div', { class: 'out' }, problem ? errorBox(problem) : null);
  const form = el(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (e) => {
        e.preventDefault();
        const value = authorizationValue(input.value);
        if (!value) return;
        setCredential(value);
        replace(out, el('p', {}, 'Checking…'));
        try {
          await call('GET', `/invoices/${query({ limit: 1 })}`);
          input.value = '';
          const back = sessionStorage.getItem('tim.after-sign-in');
          sessionStorage.removeItem('tim.after-sign-in');
          if (back && back !== location.hash) location.hash = back;
          else route();
        } catch (err) {
          forgetCredential();
          replace(out, errorBox(err));
          input.focus();
        }
      },
    },
    field('API key or token', input, 'Kept only for this tab; closing the tab forgets it.'),
    el('button', { type: 'submit' }, 'Sign in'),
    out,
  );
  show(heading('Sign in'), form);
}

// --- invoices list ----------------------------------------------------------------------------

const STATUSES = ['', 'open', 'paid', 'void'];

function lateRisk(inv) {
  return inv.status === 'open' && inv.expectedDate && daysBetween(inv.dueDate, inv.expectedDate) > LATE_RISK_DAYS;
}

function expectedCell(inv) {
  if (inv.status !== 'open') return el('td', { 'data-label': 'Expected' }, '—');
  if (!inv.expectedDate) return el('td', { 'data-label': 'Expected' }, el('span', { class: 'muted' }, 'not available'));
  return el(
    'td',
    { 'data-label': 'Expected' },
    day(inv.expectedDate),
    inv.expectedDateLow && inv.expectedDateHigh ? el('small', { class: 'interval' }, `${day(inv.expectedDateLow)} – ${day(inv.expectedDateHigh)}`) : null,
  );
}

// The list's address with these filters (empty ones left out).
function listHref(params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return q ? `#/invoices?${q}` : '#/invoices';
}

async function loadInvoicePage(params) {
  const wanted = { ...params, expand: 'expectedDate' };
  try {
    return { page: await call('GET', `/invoices/${query(wanted)}`), expanded: true };
  } catch (e) {
    // A server without expected dates in lists refuses the parameter: list without them.
    if (e instanceof ApiError && e.status === 400 && e.field === 'expand') return { page: await call('GET', `/invoices/${query(params)}`), expanded: false };
    throw e;
  }
}

async function renderInvoices(params) {
  const filters = {
    customer: params.get('customer') || '',
    status: params.get('status') || '',
    due_from: params.get('due_from') || '',
    due_to: params.get('due_to') || '',
  };
  const cursor = params.get('cursor') || '';
  const customer = el('input', { type: 'search', name: 'customer', value: filters.customer, autocomplete: 'off' });
  const status = el('select', { name: 'status' }, STATUSES.map((s) => el('option', { value: s, selected: s === filters.status }, s || 'any')));
  const dueFrom = el('input', { type: 'date', name: 'due_from', value: filters.due_from });
  const dueTo = el('input', { type: 'date', name: 'due_to', value: filters.due_to });
  const form = el(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter invoices',
      onsubmit: (e) => {
        e.preventDefault();
        go('/invoices', { customer: customer.value.trim(), status: status.value, due_from: dueFrom.value, due_to: dueTo.value });
      },
    },
    field('Customer id', customer),
    field('Status', status),
    field('Due from', dueFrom),
    field('Due until', dueTo),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Filter'), el('a', { href: '#/invoices', class: 'button secondary' }, 'Clear')),
  );
  const results = el('div', { class: 'results', 'aria-busy': 'true' }, el('p', {}, 'Loading invoices…'));
  show(heading('Invoices'), form, results);

  let loaded;
  try {
    // The form's days are inclusive; the API's due_after/due_before are exclusive.
    loaded = await loadInvoicePage({
      customer: filters.customer,
      status: filters.status,
      due_after: filters.due_from && addDays(filters.due_from, -1),
      due_before: filters.due_to && addDays(filters.due_to, 1),
      cursor,
      limit: 25,
    });
  } catch (e) {
    results.removeAttribute('aria-busy');
    failure(e, results);
    return;
  }
  results.removeAttribute('aria-busy');
  const { page, expanded } = loaded;
  const invoices = Array.isArray(page.invoices) ? page.invoices : [];
  const rows = invoices.map((inv) =>
    el(
      'tr',
      { class: lateRisk(inv) ? 'late' : null },
      el('td', { 'data-label': 'Invoice' }, el('a', { href: `#/invoices/${encodeURIComponent(inv.id)}` }, inv.ref || `#${inv.id}`)),
      el('td', { 'data-label': 'Customer' }, inv.customerName || '', el('small', { class: 'muted block' }, inv.customerId || '')),
      el('td', { 'data-label': 'Due' }, day(inv.dueDate)),
      el('td', { 'data-label': 'Balance', class: 'num' }, money(inv.balance, inv.ccy)),
      expectedCell(inv),
      el('td', { 'data-label': 'Status' }, inv.status, lateRisk(inv) ? el('span', { class: 'badge risk', title: `expected more than ${LATE_RISK_DAYS} days after the due date` }, 'late risk') : null),
    ),
  );
  const table = invoices.length
    ? el(
        'table',
        { class: 'list' },
        el('caption', {}, `${invoices.length} invoice${invoices.length === 1 ? '' : 's'}${cursor ? ' (later page)' : ''}`),
        el('thead', {}, el('tr', {}, ['Invoice', 'Customer', 'Due', 'Balance', 'Expected (interval)', 'Status'].map((h) => el('th', { scope: 'col', class: h === 'Balance' ? 'num' : null }, h)))),
        el('tbody', {}, rows),
      )
    : el('p', {}, 'No invoices match these filters.');
  const nav = el(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    cursor ? el('a', { href: listHref(filters) }, 'First page') : null,
    page.next ? el('a', { href: listHref({ ...filters, cursor: page.next }), rel: 'next' }, 'Next page') : null,
  );
  replace(results, expanded ? null : el('p', { class: 'notice' }, 'Expected dates are not available from this server.'), table, nav);
}

// --- one invoice ------------------------------------------------------------------------------

function detailList(inv) {
  const pairs = [
    ['Reference', inv.ref],
    ['Customer', `${inv.customerName || ''} (${inv.customerId || ''})`],
    ['Status', inv.status],
    ['Amount', money(inv.amount, inv.ccy)],
    ['Balance', money(inv.balance, inv.ccy)],
    ['Issued', day(inv.issueDate)],
    ['Due', day(inv.dueDate)],
  ];
  if (inv.status === 'open')
    pairs.push(['Expected', inv.expectedDate ? `${day(inv.expectedDate)} (${day(inv.expectedDateLow)} – ${day(inv.expectedDateHigh)})` : 'not available']);
  if (inv.settledDate) pairs.push(['Settled', `${day(inv.settledDate)}${inv.settledBy ? ` by ${inv.settledBy}` : ''}`]);
  return el('dl', { class: 'details' }, pairs.map(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k.toLowerCase() }, v ?? '—')]));
}

function paymentsTable(inv) {
  const entries = Array.isArray(inv.payments) ? inv.payments : [];
  if (!entries.length) return el('p', {}, 'No payments yet.');
  return el(
    'table',
    { class: 'list payments' },
    el('thead', {}, el('tr', {}, ['Entry', 'Kind', 'Amount', 'Date', 'Note'].map((h) => el('th', { scope: 'col', class: h === 'Amount' ? 'num' : null }, h)))),
    el(
      'tbody',
      {},
      entries.map((p) =>
        el(
          'tr',
          {},
          el('td', { 'data-label': 'Entry' }, String(p.id)),
          el('td', { 'data-label': 'Kind' }, p.kind || 'payment'),
          el('td', { 'data-label': 'Amount', class: 'num' }, money(p.amount, inv.ccy)),
          el('td', { 'data-label': 'Date' }, day(p.date)),
          el('td', { 'data-label': 'Note' }, p.reversed ? `reversed${p.reversal && p.reversal.reason ? `: ${p.reversal.reason}` : ''}` : p.reason || ''),
        ),
      ),
    ),
  );
}

async function renderEvents(id, into) {
  try {
    const page = await call('GET', `/invoices/${encodeURIComponent(id)}/events${query({ limit: 100 })}`);
    const events = Array.isArray(page.events) ? page.events : [];
    replace(
      into,
      events.length
        ? el(
            'ol',
            { class: 'events' },
            events.map((ev) => el('li', {}, el('strong', {}, ev.type || 'event'), ` ${String(ev.createdAt || '').replace('T', ' ').slice(0, 19)}`, ev.subject ? el('span', { class: 'muted' }, ` by ${ev.subject}`) : null)),
          )
        : el('p', {}, 'No events.'),
    );
  } catch (e) {
    failure(e, into);
  }
}

async function renderInvoice(id) {
  show(heading('Invoice'), el('p', {}, 'Loading…'));
  let inv;
  try {
    inv = await call('GET', `/invoices/${encodeURIComponent(id)}`);
  } catch (e) {
    const box = failure(e);
    if (box) show(heading('Invoice'), box, el('p', {}, el('a', { href: '#/invoices' }, 'Back to the list')));
    return;
  }
  const events = el('div', { class: 'out' }, el('p', {}, 'Loading events…'));
  const payOut = el('div', { class: 'out', 'aria-live': 'polite' });
  const voidOut = el('div', { class: 'out', 'aria-live': 'polite' });
  const paySubmission = new Submission();
  const voidSubmission = new Submission();

  const amount = el('input', { type: 'text', name: 'amount', inputmode: 'decimal', required: true, autocomplete: 'off', pattern: '[0-9]+([.][0-9]+)?' });
  const date = el('input', { type: 'date', name: 'date', required: true, value: today() });
  const payForm = el(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'pay-title',
      onsubmit: async (e) => {
        e.preventDefault();
        const minor = toMinor(amount.value, inv.ccy);
        if (!minor) {
          replace(payOut, errorBox(`Enter the amount as a number in ${inv.ccy}, for example 12.50.`));
          amount.focus();
          return;
        }
        const button = payForm.querySelector('button');
        button.disabled = true;
        replace(payOut, el('p', {}, 'Recording…'));
        try {
          const updated = await paySubmission.send('POST', `/invoices/${encodeURIComponent(id)}/payments`, { json: { amount: minor, date: date.value, ccy: inv.ccy } });
          say(`Payment recorded. Balance now ${money(updated.balance, updated.ccy)}.`);
          await renderInvoice(id);
        } catch (err) {
          button.disabled = false;
          // The API counts in minor units; say it in the invoice's currency.
          if (err instanceof ApiError && err.code === 'payment_exceeds_balance')
            err.message = `Refused: the payment (${money(minor, inv.ccy)}) is more than the balance (${money(inv.balance, inv.ccy)}).`;
          failure(err, payOut);
        }
      },
    },
    el('h2', { id: 'pay-title' }, 'Record a payment'),
    el('div', { class: 'row' }, field(`Amount (${inv.ccy})`, amount), field('Date received', date)),
    el('button', { type: 'submit' }, 'Record payment'),
    payOut,
  );
  const confirm = el('input', { type: 'checkbox', name: 'confirm', required: true });
  const voidForm = el(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'void-title',
      onsubmit: async (e) => {
        e.preventDefault();
        const button = voidForm.querySelector('button');
        button.disabled = true;
        try {
          await voidSubmission.send('POST', `/invoices/${encodeURIComponent(id)}/void`);
          say(`Invoice ${inv.ref} voided.`);
          await renderInvoice(id);
        } catch (err) {
          button.disabled = false;
          failure(err, voidOut);
        }
      },
    },
    el('h2', { id: 'void-title' }, 'Void'),
    el('div', { class: 'check' }, confirm, el('label', { for: (confirm.id = 'void-confirm') }, `Yes, void ${inv.ref || 'this invoice'}`)),
    el('button', { type: 'submit', class: 'danger' }, 'Void invoice'),
    voidOut,
  );
  show(
    el('p', {}, el('a', { href: '#/invoices' }, '← Invoices')),
    heading(`Invoice ${inv.ref || id}`),
    detailList(inv),
    el('h2', {}, 'Payments'),
    paymentsTable(inv),
    inv.status === 'open' ? el('div', { class: 'forms' }, payForm, (inv.payments || []).length === 0 ? voidForm : null) : null,
    el('h2', {}, 'History'),
    events,
  );
  renderEvents(id, events);
}

// --- import and export ------------------------------------------------------------------------

function reportView(report) {
  const rejected = Array.isArray(report.rejected) ? report.rejected : [];
  const duplicates = Array.isArray(report.duplicates) ? report.duplicates : [];
  return el(
    'section',
    { class: 'report', 'aria-labelledby': 'report-title' },
    el('h2', { id: 'report-title' }, 'Import report'),
    el(
      'dl',
      { class: 'details' },
      el('dt', {}, 'Imported'),
      el('dd', { 'data-field': 'imported' }, String(report.imported ?? 0)),
      el('dt', {}, 'Rejected'),
      el('dd', { 'data-field': 'rejected' }, String(report.rejectedCount ?? rejected.length)),
      el('dt', {}, 'Already present'),
      el('dd', { 'data-field': 'duplicates' }, String(report.duplicateCount ?? duplicates.length)),
    ),
    rejected.length
      ? el(
          'table',
          { class: 'list rejected' },
          el('caption', {}, 'Rejected rows' + (report.rejectedCount > rejected.length ? ` (first ${rejected.length})` : '')),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Line'), el('th', { scope: 'col' }, 'Reason'))),
          el('tbody', {}, rejected.map((r) => el('tr', {}, el('td', { 'data-label': 'Line' }, String(r.line)), el('td', { 'data-label': 'Reason' }, r.message || '')))),
        )
      : null,
    duplicates.length
      ? el(
          'table',
          { class: 'list duplicates' },
          el('caption', {}, 'Rows whose reference already exists'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Line'), el('th', { scope: 'col' }, 'Reference'))),
          el('tbody', {}, duplicates.map((d) => el('tr', {}, el('td', { 'data-label': 'Line' }, String(d.line)), el('td', { 'data-label': 'Reference' }, d.ref || '')))),
        )
      : null,
  );
}

function renderImport() {
  const file = el('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true });
  const ccy = el('input', { type: 'text', name: 'currency', maxlength: 3, autocomplete: 'off', placeholder: 'USD', pattern: '[A-Za-z]{3}' });
  const out = el('div', { class: 'out', 'aria-live': 'polite' });
  const submission = new Submission();
  const form = el(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'import-title',
      onsubmit: async (e) => {
        e.preventDefault();
        const chosen = file.files && file.files[0];
        if (!chosen) {
          replace(out, errorBox('Choose a CSV file first.'));
          return;
        }
        const button = form.querySelector('button');
        button.disabled = true;
        replace(out, el('p', {}, `Importing ${chosen.name}…`));
        try {
          const text = await chosen.text();
          const report = await submission.send('POST', `/invoices/import${query({ currency: ccy.value.trim().toUpperCase() })}`, { body: text, headers: { 'Content-Type': 'text/csv' } });
          replace(out, reportView(report));
        } catch (err) {
          failure(err, out);
        } finally {
          button.disabled = false;
        }
      },
    },
    el('h2', { id: 'import-title' }, 'Import invoices from CSV'),
    field('CSV file', file, "TIM's export format, or the accounts-receivable sample's layout."),
    field('Currency of the sample layout', ccy, 'Only for the sample layout; TIM exports carry their own.'),
    el('button', { type: 'submit' }, 'Import'),
    out,
  );
  const exportOut = el('div', { class: 'out', 'aria-live': 'polite' });
  const exportButton = el(
    'button',
    {
      type: 'button',
      onclick: async () => {
        exportButton.disabled = true;
        replace(exportOut, el('p', {}, 'Preparing the export…'));
        try {
          const response = await call('GET', `/invoices/${query({ format: 'csv' })}`, { accept: 'text/csv' });
          const blob = await response.blob();
          const url = URL.createObjectURL(blob);
          const name = `invoices-${today()}.csv`;
          const link = el('a', { href: url, download: name }, `Download ${name}`);
          replace(exportOut, el('p', {}, `Export ready (${blob.size.toLocaleString('en')} bytes). `, link));
          link.click();
        } catch (err) {
          failure(err, exportOut);
        } finally {
          exportButton.disabled = false;
        }
      },
    },
    'Export all invoices (CSV)',
  );
  show(heading('Import and export'), form, el('section', { class: 'card', 'aria-labelledby': 'export-title' }, el('h2', { id: 'export-title' }, 'Export'), exportButton, exportOut));
}

// --- forecast ---------------------------------------------------------------------------------

function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function forecastTable(series) {
  const row = (label, b) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row', 'data-label': 'Week' }, label),
      el('td', { 'data-label': 'Expected', class: 'num' }, money(b.amount, series.currency)),
      el('td', { 'data-label': 'Low', class: 'num' }, money(b.low, series.currency)),
      el('td', { 'data-label': 'High', class: 'num' }, money(b.high, series.currency)),
      el('td', { 'data-label': 'Invoices', class: 'num' }, String(b.count ?? '')),
    );
  const buckets = Array.isArray(series.buckets) ? series.buckets : [];
  return el(
    'table',
    { class: 'list forecast' },
    el('caption', {}, `Expected cash-in, ${series.currency}`),
    el('thead', {}, el('tr', {}, ['Week', 'Expected', 'Low', 'High', 'Invoices'].map((h) => el('th', { scope: 'col', class: h === 'Week' ? null : 'num' }, h)))),
    el(
      'tbody',
      {},
      series.overdue ? row('Overdue (expected before the start)', series.overdue) : null,
      buckets.map((b) => row(`${day(b.start)} – ${day(b.end)}`, b)),
      series.later ? row('Later (expected after the end)', series.later) : null,
    ),
    series.total
      ? el(
          'tfoot',
          {},
          el('tr', {}, el('th', { scope: 'row', 'data-label': 'Week' }, 'Total open'), el('td', { 'data-label': 'Expected', class: 'num' }, money(series.total.amount, series.currency)), el('td'), el('td'), el('td', { 'data-label': 'Invoices', class: 'num' }, String(series.total.count ?? ''))),
        )
      : null,
  );
}

async function renderForecast(params) {
  const from = params.get('from') || today();
  const weeks = Math.min(Math.max(Number(params.get('weeks')) || 12, 1), 52);
  const customer = params.get('customer') || '';
  const fromInput = el('input', { type: 'date', name: 'from', value: from, required: true });
  const weeksInput = el('input', { type: 'number', name: 'weeks', min: 1, max: 52, value: weeks, required: true });
  const customerInput = el('input', { type: 'search', name: 'customer', value: customer, autocomplete: 'off' });
  const form = el(
    'form',
    {
      class: 'filters',
      'aria-label': 'Forecast period',
      onsubmit: (e) => {
        e.preventDefault();
        go('/forecast', { from: fromInput.value, weeks: weeksInput.value, customer: customerInput.value.trim() });
      },
    },
    field('From', fromInput),
    field('Weeks', weeksInput),
    field('Customer id (optional)', customerInput),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Show')),
  );
  const out = el('div', { class: 'results', 'aria-busy': 'true' }, el('p', {}, 'Loading the forecast…'));
  show(heading('Cash-in forecast'), form, out);
  let forecast;
  let chart;
  try {
    // `to` is inclusive: N whole weeks from `from`.
    [forecast, chart] = await Promise.all([call('GET', `/forecast/${query({ from, to: addDays(from, weeks * 7 - 1), bucket: 'week', customer })}`), import('./chart.js')]);
  } catch (e) {
    out.removeAttribute('aria-busy');
    failure(e, out);
    return;
  }
  out.removeAttribute('aria-busy');
  const series = Array.isArray(forecast.series) ? forecast.series : [];
  replace(
    out,
    forecast.method ? el('p', { class: 'muted' }, `Band: ${forecast.method}.`) : null,
    forecast.unpredicted > 0 ? el('p', { class: 'notice' }, `${forecast.unpredicted} invoice(s) had no prediction and are placed at their due date.`) : null,
    series.length
      ? series.map((s) => el('section', { class: 'series', 'aria-label': `Forecast in ${s.currency}` }, el('h2', {}, s.currency), chart.forecastChart(s, (v) => money(v, s.currency)), forecastTable(s)))
      : el('p', {}, 'No open invoices in this period.'),
  );
}

// --- routing ----------------------------------------------------------------------------------

async function route() {
  say('');
  const { path, params } = parseHash();
  if (!credential()) {
    if (path !== '/signin') sessionStorage.setItem('tim.after-sign-in', location.hash || '#/invoices');
    renderSignIn();
    return;
  }
  signOut.hidden = false;
  for (const a of document.querySelectorAll('header nav a')) {
    if (path.startsWith(a.getAttribute('href').slice(1))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const invoice = path.match(/^\/invoices\/([^/]+)$/);
  if (invoice) return renderInvoice(decodeURIComponent(invoice[1]));
  if (path === '/forecast') return renderForecast(params);
  if (path === '/import') return renderImport();
  if (path === '/invoices' || path === '/signin' || path === '/') return renderInvoices(params);
  show(heading('Not found'), el('p', {}, 'This page does not exist. '), el('a', { href: '#/invoices' }, 'Go to the invoices'));
}

signOut.addEventListener('click', () => {
  forgetCredential();
  say('Signed out.');
  location.hash = '#/signin';
  route();
});
window.addEventListener('hashchange', route);
route();
