import { httpUrlProblem } from './is-http-url';

describe('httpUrlProblem', () => {
  it.each([
    'https://hooks.example.com/in?x=1',
    'http://2130706433/',
    'http://0x7f.1:8080/',
    'http://[::1]/',
    'https://bücher.example/',
  ])('takes %s (the address check decides about the host)', (url) => {
    expect(httpUrlProblem(url)).toBeNull();
  });

  it.each([
    [42, 'must be a string'],
    ['hooks.example.com/in', 'must be an absolute http(s) URL'],
    ['ftp://hooks.example.com/', 'must be an absolute http(s) URL'],
    ['javascript:alert(1)', 'must be an absolute http(s) URL'],
    ['http://[::1/', 'must be an absolute http(s) URL'],
    ['http://exa mple.com/', 'must not contain spaces or control characters'],
    ['http://example.com/\nX-Evil: 1', 'must not contain spaces or control characters'],
    ['http://exam\tple.com/', 'must not contain spaces or control characters'],
    ['https://user:secret@hooks.example.com/', 'must not carry credentials; use auth (stored encrypted) instead'],
    ['https://user@hooks.example.com/', 'must not carry credentials; use auth (stored encrypted) instead'],
  ])('refuses %s: %s', (url, problem) => {
    expect(httpUrlProblem(url)).toBe(problem);
  });
});
