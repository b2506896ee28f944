// Evaluates a batch of FEEL expressions with feelin (bpmn-io) for the differential test.
// stdin: JSON [{"expression": str, "context": obj, "unary": bool, "input": any}], stdout: JSON results.
import { evaluate, unaryTest } from 'feelin';

function plain(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? { n: String(v) } : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'function') return { fn: true };
  if (typeof v === 'object') {
    if (typeof v.iso === 'string') return { t: v.iso };
    const name = v.constructor && v.constructor.name;
    if (name && name !== 'Object') {
      if ('start' in v && 'end' in v) return { range: true };
      if (name.includes('Function')) return { fn: true };
      return { other: name };
    }
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return { other: typeof v };
}

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  const cases = JSON.parse(data);
  const results = cases.map((c) => {
    try {
      const r = c.unary
        ? unaryTest(c.expression, { ...c.context, '?': c.input })
        : evaluate(c.expression, c.context);
      return { ok: true, value: plain(r && typeof r === 'object' && 'value' in r && 'warnings' in r ? r.value : r) };
    } catch (e) {
      return { ok: false, error: String(e && e.message || e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
