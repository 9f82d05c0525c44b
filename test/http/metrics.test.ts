import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from '../../src/http/metrics.js';

test('Prometheus 0.0.4: counters render HELP, TYPE and one line per label set', () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter('reqs_total', 'Requests.', ['route', 'status']);
  requests.inc({ route: '/a', status: '200' });
  requests.inc({ route: '/a', status: '200' });
  requests.inc({ route: '/b/:id', status: '404' }, 3);
  assert.equal(
    registry.render(),
    '# HELP reqs_total Requests.\n# TYPE reqs_total counter\nreqs_total{route="/a",status="200"} 2\nreqs_total{route="/b/:id",status="404"} 3\n',
  );
});

test('label values escape backslash, double quote and newline', () => {
  const registry = new MetricsRegistry();
  registry.counter('c', 'h', ['l']).inc({ l: 'a\\b"c\nd' });
  assert.match(registry.render(), /^c\{l="a\\\\b\\"c\\nd"\} 1$/m);
});

test('an unlabelled gauge shows 0 before it is touched, then its value', () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge('g', 'A gauge.');
  assert.match(registry.render(), /^g 0$/m);
  gauge.inc();
  gauge.inc();
  gauge.dec();
  assert.match(registry.render(), /^g 1$/m);
});

test('a histogram renders cumulative buckets, +Inf, _sum and _count', () => {
  const registry = new MetricsRegistry();
  const h = registry.histogram('d_seconds', 'Durations.', [0.1, 1]);
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  assert.equal(
    registry.render(),
    '# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n' +
      'd_seconds_bucket{le="0.1"} 1\nd_seconds_bucket{le="1"} 2\nd_seconds_bucket{le="+Inf"} 3\n' +
      'd_seconds_sum 5.55\nd_seconds_count 3\n',
  );
});

test('a counter refuses to go down and a name cannot be registered twice', () => {
  const registry = new MetricsRegistry();
  const c = registry.counter('c', 'h');
  assert.throws(() => c.inc(undefined, -1));
  assert.throws(() => registry.counter('c', 'again'));
});

test('each label set is its own series, even when the values would collide if joined', () => {
  const registry = new MetricsRegistry();
  const c = registry.counter('pairs_total', 'h', ['a', 'b']);
  c.inc({ a: 'x\u0000y', b: 'z' });
  c.inc({ a: 'x', b: 'y\u0000z' }, 2);
  c.inc({ a: 'x', b: 'q' }, 5);
  assert.equal(c.get({ a: 'x\u0000y', b: 'z' }), 1);
  assert.equal(c.get({ a: 'x', b: 'y\u0000z' }), 2);
  assert.equal(c.get({ a: 'x', b: 'q' }), 5);
  assert.equal(c.get({ a: 'x', b: 'nothing' }), 0);
  assert.equal(c.get({ a: 'never', b: 'q' }), 0);
  const gauge = registry.gauge('g', 'h', ['k']);
  gauge.set(7, { k: 'one' });
  gauge.dec({ k: 'one' }, 2);
  assert.equal(gauge.get({ k: 'one' }), 5);
  assert.equal(registry.render().split('\n').filter((line) => line.startsWith('pairs_total{')).length, 3);
});
