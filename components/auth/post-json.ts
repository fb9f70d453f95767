/** The result of a console API call from the browser: the status and the parsed body, or the error message. */
export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data: T | null;
  error: string | null;
  field: string | null;
}

/** Sends a JSON request to the console API from the browser, same-origin with cookies, and reads the JSON reply. */
export async function sendJson<T>(path: string, body?: unknown, method = 'POST'): Promise<ApiResult<T>> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.ok) {
    return { ok: true, status: response.status, data: parsed as T, error: null, field: null };
  }
  const error = (parsed as { error?: { message?: string; field?: string } } | null)?.error;
  return {
    ok: false,
    status: response.status,
    data: null,
    error: error?.message ?? `request failed with status ${response.status}`,
    field: error?.field ?? null,
  };
}
