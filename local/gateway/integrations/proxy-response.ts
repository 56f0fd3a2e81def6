// Turns a Lambda proxy integration's result into the HTTP answer, with API Gateway's checks: an object
// with an integer statusCode, scalar headers, arrays in multiValueHeaders, a string body (or none).
// Anything else is a "Malformed Lambda proxy response" and the client gets 502.
import { addHeader, hasHeader, type HttpAnswer } from '../http-answer';

export type ProxyResponseCheck = { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * `binaryAccepted`: the request's Accept header matches the API's binary media types, so a body marked
 * isBase64Encoded is decoded to bytes; otherwise API Gateway passes the base64 text through as is.
 */
export function readProxyResponse(result: unknown, binaryAccepted: boolean): ProxyResponseCheck {
  const malformed = (reason: string): ProxyResponseCheck => ({ ok: false, reason: `Malformed Lambda proxy response: ${reason}` });
  if (!isObject(result)) return malformed(`the function returned ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}`);
  const status = typeof result.statusCode === 'string' && /^\d{3}$/.test(result.statusCode) ? Number(result.statusCode) : result.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    return malformed(`statusCode ${JSON.stringify(result.statusCode)} is not an HTTP status code`);
  }
  const headers: Record<string, string[]> = {};
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isObject(result.multiValueHeaders)) return malformed('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) return malformed(`multiValueHeaders.${name} is not an array of strings`);
      for (const v of values) addHeader(headers, name, String(v));
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isObject(result.headers)) return malformed('headers is not an object');
    for (const [name, value] of Object.entries(result.headers)) {
      if (!isScalar(value)) return malformed(`headers.${name} is not a string`);
      // Both maps are merged; a name/value pair given in both appears once.
      addHeader(headers, name, String(value));
    }
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return malformed('body is not a string');
  if (result.isBase64Encoded !== undefined && typeof result.isBase64Encoded !== 'boolean') return malformed('isBase64Encoded is not a boolean');
  const text = (result.body as string | undefined | null) ?? '';
  const body = result.isBase64Encoded === true && binaryAccepted ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = ['application/json'];
  return { ok: true, answer: { statusCode: status, headers, body } };
}
