// MinIO's key filter: prefix/suffix rules become one glob pattern, matched the
// way minio/pkg's wildcard.MatchSimple does (code points; `*` any run including
// `/`; `?` one character; a `?` met after the key is exhausted matches).

/** prefix `images/` + suffix `.jpg` → `images/*.jpg`; no rules → `*`. */
export function filterPattern(rules: { name: 'prefix' | 'suffix'; value: string }[]): string {
  let prefix = '';
  let suffix = '';
  for (const rule of rules) {
    if (rule.name === 'prefix') prefix = rule.value.endsWith('*') ? rule.value : `${rule.value}*`;
    else suffix = rule.value.startsWith('*') ? rule.value : `*${rule.value}`;
  }
  let pattern = prefix + suffix;
  while (pattern.includes('**')) pattern = pattern.replaceAll('**', '*');
  return pattern === '' ? '*' : pattern;
}

export function matchSimple(pattern: string, name: string): boolean {
  if (pattern === '') return name === '';
  if (pattern === '*') return true;
  const p = [...pattern];
  const s = [...name];
  // Fast path for the shapes rules produce: `literal*`, `*literal`, `literal*literal`.
  if (!pattern.includes('?')) {
    const stars = p.reduce((n, c) => n + (c === '*' ? 1 : 0), 0);
    if (stars === 0) return pattern === name;
    if (stars === 1) {
      const at = p.indexOf('*');
      const head = p.slice(0, at).join('');
      const tail = p.slice(at + 1).join('');
      return s.length >= p.length - 1 && name.startsWith(head) && name.endsWith(tail);
    }
  }
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (p.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (j === p.length) result = i === s.length;
    else if (p[j] === '*')
      result = j === p.length - 1 || match(i, j + 1) || (i < s.length && match(i + 1, j));
    else if (p[j] === '?') result = i === s.length ? true : match(i + 1, j + 1);
    else result = i < s.length && s[i] === p[j] && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
