// The one way the screens reach the platform: POST /graphql with the session's token.
// A 401 ends the session and returns to sign-in; GraphQL errors are thrown with their
// `extensions.code`, so a panel can show its own error in place.

const TOKEN_KEY = 'jiuye.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** Runs one GraphQL operation; resolves to `data`, rejects with an ApiError. */
export async function gql(query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const current = token();
  if (current) headers.authorization = `Bearer ${current}`;
  let response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiError('无法连接服务器，请检查网络后重试', 'NETWORK');
  }
  if (response.status === 401) {
    setToken(null);
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
    throw new ApiError('登录已失效，请重新登录', 'UNAUTHENTICATED');
  }
  const body = await response.json().catch(() => null);
  if (!body) throw new ApiError(`服务器返回 ${response.status}`, 'INTERNAL');
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions && first.extensions.code);
  }
  return body.data;
}
