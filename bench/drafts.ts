import postgres from 'postgres';
import type { FakeLlm } from '../test/fixtures/fake-llm';
import { cpuSeconds, type RunningServer, report, seconds, sleep } from './lib';
import { seedProspects } from './seed';

/** The answer the fake LLM gives every draft: a French e-mail that passes every check for any prospect. */
const ANSWER = {
  subject: 'Une idée pour vous',
  body: 'Bonjour,\n\nJe suis Paul Girard, conseiller chez Watt Conseil. Je vous écris au sujet d’un audit de vos contrats énergie. Nos clients réduisent leur facture de 12 % en moyenne.\n\nSeriez-vous d’accord pour en parler lors d’un court échange ?\n\nPaul Girard\nWatt Conseil\n\nSi vous ne souhaitez plus recevoir de messages de notre part, répondez STOP.',
};

const PITCH = {
  offer: 'Un audit de vos contrats énergie',
  valuePropositions: ['Un interlocuteur unique pour tous vos sites'],
  facts: ['Nos clients réduisent leur facture de 12 % en moyenne'],
  dataSource: 'le registre Sirene',
  sender: { name: 'Paul Girard', company: 'Watt Conseil', role: 'conseiller' },
};

/**
 * A batch of drafts against the fake OpenAI-compatible server answering in `delayMs`, at `concurrency`:
 * beside it, the same number of calls sent straight to the fake server at the same concurrency.
 */
export async function benchDrafts(
  url: string,
  server: RunningServer,
  fake: FakeLlm,
  n = 1000,
  concurrency = 16,
  delayMs = 400,
) {
  await seedProspects(url, server.orgId, n);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const ids = (await sql<{ id: string }[]>`SELECT id FROM prospects ORDER BY id`).map((r) => r.id);
  await sql.end();
  const base = `http://127.0.0.1:${server.port}`;
  const headers = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
  const campaign = (await (
    await fetch(`${base}/v1/campaigns`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'bench', pitch: PITCH }),
    })
  ).json()) as { id: string };
  fake.respondWith(() => ({ content: ANSWER, delayMs }));

  // Baseline: the same calls, straight to the fake server, `concurrency` at a time.
  const direct = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        await fetch(`${fake.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'x' }] }),
        }).then((r) => r.text());
      }
    }),
  );
  const directMs = performance.now() - direct;

  const callsBefore = fake.received.length;
  const cpuBefore = cpuSeconds(server.child.pid!);
  const started = performance.now();
  const queued = await fetch(`${base}/v1/drafts/batch`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ campaignId: campaign.id, channel: 'email', prospectIds: ids, concurrency }),
  });
  if (queued.status !== 202) throw new Error(`batch refused: ${queued.status} ${await queued.text()}`);
  const job = (await queued.json()) as { id: string };
  let result: {
    status: string;
    result: { byStatus: Record<string, number>; byGenerator: Record<string, number> };
  };
  for (;;) {
    result = (await (await fetch(`${base}/v1/jobs/${job.id}`, { headers })).json()) as typeof result;
    if (result.status === 'succeeded' || result.status === 'failed') break;
    // Polling is the bench's own load on the service: five times a second is precise enough for 25 s.
    await sleep(200);
  }
  const elapsedMs = performance.now() - started;
  const timing = postgres(url, { max: 1, onnotice: () => {} });
  const [span] = await timing<{ wait: number; run: number; first: number; last: number }[]>`
    SELECT extract(epoch FROM j.started_at - j.created_at) * 1000 AS wait,
           extract(epoch FROM j.finished_at - j.started_at) * 1000 AS run,
           extract(epoch FROM min(d.created_at) - j.started_at) * 1000 AS first,
           extract(epoch FROM j.finished_at - max(d.created_at)) * 1000 AS last
    FROM jobs j JOIN drafts d ON d.batch_id = j.id WHERE j.id = ${job.id}
    GROUP BY j.id`;
  await timing.end();
  const cpuMs = (cpuSeconds(server.child.pid!) - cpuBefore) * 1000;
  const calls = fake.received.length - callsBefore;
  const idealMs = (n / concurrency) * delayMs;
  report(
    `A batch of ${n.toLocaleString('en')} e-mail drafts, the fake LLM answering in ${delayMs} ms, concurrency ${concurrency}`,
    [
      ['ideal', seconds(idealMs)],
      [
        `${n} calls straight to the fake server (baseline)`,
        `${seconds(directMs)} (${(directMs / idealMs).toFixed(3)}× the ideal)`,
      ],
      [
        'POST /v1/drafts/batch, until its job ended',
        `${seconds(elapsedMs)} (${(elapsedMs / idealMs).toFixed(3)}× the ideal, ${(elapsedMs / directMs).toFixed(3)}× the baseline; target: within 1.15× of the ideal)`,
      ],
      [
        'the job',
        `queued ${Math.round(Number(span!.wait))} ms, ran ${seconds(Number(span!.run))}; first draft stored after ${Math.round(Number(span!.first))} ms, the job ended ${Math.round(Number(span!.last))} ms after the last`,
      ],
      ['service CPU per draft', `${(cpuMs / n).toFixed(2)} ms (target: under 5 ms)`],
      ['LLM calls per draft', `${(calls / n).toFixed(3)} (target: 1 when the first answer passes)`],
      [
        'drafts',
        `${result.status}: ${JSON.stringify(result.result?.byStatus)} ${JSON.stringify(result.result?.byGenerator)}`,
      ],
    ],
  );
}
