const dir = process.argv[2];
const { renderStream } = await import(`./${dir}/adapter.js`);
const prom = (await import('prom-client')).default;
const N = +process.argv[3] || 10000;
const registry = new prom.Registry();
const h = new prom.Histogram({ name: 'http_server_request_duration_seconds', help: 'd', labelNames: ['service','http_request_method','http_route','http_response_status_code'], buckets: [0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.5,0.75,1,2.5,5,7.5,10], registers: [registry] });
const M = ['GET','POST','PUT','DELETE'];
const lab = (i) => ({ service: 'bench', http_request_method: M[i % 4], http_route: `/tenants/${i}/items/:id`, http_response_status_code: i % 10 === 0 ? '500' : '200' });
for (let i = 0; i < N; i++) h.observe(lab(i), (i % 97) / 40);
const times = [];
for (let r = 0; r < 80; r++) {
  for (let i = 0; i < N; i++) h.observe(lab(i), 0.02);
  global.gc();
  const t = performance.now();
  const { chunks, release } = await renderStream(registry, 'text');
  for await (const c of chunks) release?.(c);
  times.push(performance.now() - t);
}
const s = times.slice(5).sort((a, b) => a - b);
console.log(dir, N, 'median', s[s.length >> 1].toFixed(1), 'min', s[0].toFixed(1));
