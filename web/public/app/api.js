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

/** What an error code means, in the users' words. The server's own text (English for
 * most checks, naming the argument or the rule) follows in brackets, so an operator
 * reading a screenshot still sees which rule refused. */
const SUMMARY = {
  BAD_USER_INPUT: '输入有误',
  GRAPHQL_VALIDATION_FAILED: '请求格式有误',
  BAD_REQUEST: '请求有误',
  FORBIDDEN: '无权访问',
  UNAUTHENTICATED: '身份验证未通过',
  TIMEOUT: '查询超时，请缩小查询范围后重试',
  RATE_LIMITED: '请求过于频繁，请稍后再试',
  SERVER_BUSY: '服务器繁忙，请稍后再试',
  PAYLOAD_TOO_LARGE: '请求内容过大',
  INTERNAL: '服务器内部错误，请联系系统管理员',
};

/** A message for the user: the server's when it is already Chinese, else the code's
 * summary with the server's text after it. */
export function userMessage(text, code, fallback = '操作未完成') {
  if (/[\u4e00-\u9fff]/.test(text || '')) return text;
  const summary = SUMMARY[code] || fallback;
  return text ? `${summary}（${text}）` : summary;
}

export class ApiError extends Error {
  constructor(message, code, detail = message) {
    super(message);
    this.code = code;
    /** The server's own text. */
    this.detail = detail;
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
    const code = first.extensions && first.extensions.code;
    throw new ApiError(userMessage(first.message, code), code, first.message);
  }
  return body.data;
}
