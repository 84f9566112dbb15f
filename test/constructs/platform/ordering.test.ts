import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { compareStrings } from '../../../constructs/platform/ordering';

const ROOT = path.resolve(__dirname, '../../..');

test('code-point order, whatever the locale would say', () => {
  // da_DK sorts "aa" after "z", cs_CZ sorts "ch" after "h", lt_LT sorts "y" right after "i".
  expect(['ylab', 'hrm', 'checkout', 'aabenraa', 'Zeta', 'a-b', 'ab'].sort(compareStrings)).toEqual([
    'Zeta',
    'a-b',
    'aabenraa',
    'ab',
    'checkout',
    'hrm',
    'ylab',
  ]);
  expect(compareStrings('x', 'x')).toBe(0);
});

test('the same order in a process running under another locale', () => {
  const script = `console.log(JSON.stringify(${JSON.stringify(['ylab', 'hrm', 'checkout', 'aabenraa', 'chata'])}.sort(${compareStrings.toString()})))`;
  const under = (locale: string) =>
    execFileSync(process.execPath, ['-e', script], { env: { ...process.env, LANG: locale, LC_ALL: locale }, encoding: 'utf8' });
  expect(under('da_DK.UTF-8')).toBe(under('C'));
  expect(under('cs_CZ.UTF-8')).toBe(under('lt_LT.UTF-8'));
});

test("no source file sorts with localeCompare (it follows the machine's locale)", () => {
  const grep = spawnSync('git', ['grep', '--untracked', '-n', 'localeCompare(', '--', '*.ts', ':!imports/', ':!test/', ':!lib/'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(grep.status).toBe(1); // 1: no match
  expect(grep.stdout).toBe('');
});
