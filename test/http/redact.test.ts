import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactHeaders } from '../../src/http/redact.ts';

describe('redactHeaders', () => {
  it('hides credentials whatever the case, keeps the rest and the names', () => {
    const headers = {
      Authorization: 'Bearer abc',
      'proxy-authorization': 'Basic x',
      Cookie: 'sid=1',
      'Set-Cookie': 'sid=2',
      'X-API-Key': 'k',
      'api-key': 'k',
      'x-auth-token': 't',
      'X-Client-Secret': 's',
      'x-access-token': 't',
      'X-DB-Password': 'p',
      'Content-Type': 'application/json',
      accept: '*/*',
    };
    assert.deepEqual(redactHeaders(headers), {
      Authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      Cookie: '[redacted]',
      'Set-Cookie': '[redacted]',
      'X-API-Key': '[redacted]',
      'api-key': '[redacted]',
      'x-auth-token': '[redacted]',
      'X-Client-Secret': '[redacted]',
      'x-access-token': '[redacted]',
      'X-DB-Password': '[redacted]',
      'Content-Type': 'application/json',
      accept: '*/*',
    });
  });

  it('returns a copy and leaves the input alone', () => {
    const headers = { authorization: 'Bearer abc' };
    const copy = redactHeaders(headers);
    assert.notEqual(copy, headers);
    assert.equal(headers.authorization, 'Bearer abc');
  });
});
