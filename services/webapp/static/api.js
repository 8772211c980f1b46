// Calls to TIM's API through the gateway (same origin as the app). The credential lives only in
// sessionStorage: gone when the tab closes, never in localStorage or a cookie.
const CREDENTIAL = 'tim.credential';

export function credential() {
  return sessionStorage.getItem(CREDENTIAL);
}

export function setCredential(value) {
  sessionStorage.setItem(CREDENTIAL, value);
}

export function forgetCredential() {
  sessionStorage.removeItem(CREDENTIAL);
}

// The Authorization value: as typed when it names a scheme; a JWT (three dot-separated parts)
// gets "Bearer"; a TOKEN or API key goes raw, as the tutorial sends it.
export function authorizationValue(typed) {
  const value = typed.trim();
  if (/^bearer\s/i.test(value)) return value;
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(value)) return `Bearer ${value}`;
  return value;
}

// An API failure, with words a person can act on.
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const STATUS_WORDS = {
  400: 'The request was refused',
  401: 'Your key or token was not accepted. Sign in again',
  403: 'Your key or token does not allow this',
  404: 'Not found',
  409: 'Refused',
  413: 'Too large',
  429: 'Too many requests; wait a moment and try again',
  500: 'The server failed',
  502: 'A service behind the gateway is not answering',
  503: 'The service is unavailable right now; try again shortly',
  504: 'The service took too long to answer',
};

async function errorFrom(response) {
  let code = `http_${response.status}`;
  let detail = '';
  let field;
  try {
    const body = await response.json();
    if (body && body.error && typeof body.error === 'object') {
      code = String(body.error.code || code);
      detail = String(body.error.message || '');
      if (body.error.field) field = String(body.error.field);
    } else if (body && typeof body.error === 'string') {
      code = body.error;
    }
  } catch {
    /* not JSON: the status words say enough */
  }
  const words = STATUS_WORDS[response.status] || `The server answered ${response.status}`;
  return new ApiError(response.status, code, detail ? `${words}: ${detail}` : `${words}.`, field);
}

// fetch with the credential; JSON in and out. Throws ApiError with words on any failure.
export async function call(method, path, { json, body, headers = {}, accept = 'application/json' } = {}) {
  const h = { Accept: accept, ...headers };
  const token = credential();
  if (token) h.Authorization = token;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: h, body: payload, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', `Cannot reach the server (${e.message}). Check your connection and try again.`);
  }
  if (!response.ok) throw await errorFrom(response);
  if (accept !== 'application/json') return response;
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(response.status, 'bad_json', 'The server sent an answer this app cannot read.');
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// One submission of a form that changes data: one Idempotency-Key for it, kept while the same
// submission is retried (after a network error or a 5xx), replaced once it got a final answer.
export class Submission {
  constructor() {
    this.key = null;
    this.sent = null;
  }

  async send(method, path, options = {}) {
    // Changed fields make a new submission: the old key with a new body would be refused.
    const what = `${method} ${path} ${JSON.stringify(options.json ?? options.body ?? null)}`;
    if (!this.key || what !== this.sent) this.key = crypto.randomUUID();
    this.sent = what;
    try {
      const result = await call(method, path, { ...options, headers: { ...(options.headers || {}), 'Idempotency-Key': this.key } });
      this.key = null;
      return result;
    } catch (e) {
      // A final refusal (4xx other than 429, or a key conflict): the next try is a new submission.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429 && e.code !== 'idempotency_key_in_progress') this.key = null;
      throw e;
    }
  }
}
