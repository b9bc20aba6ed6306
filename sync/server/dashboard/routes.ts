import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_BUNDLE_BYTES, describeImport, importBundle } from '../bundle-import';
import { loadOrCreateSealingKey } from '../sealing-key';
import type { GatewayStore } from '../store';
import { SESSION_COOKIE, createAdminAuth } from './admin-auth';
import type { AdminAuth, AdminSession } from './admin-auth';
import { countsCsv, loadFleetView, shippedCatalogues } from './dashboard-data';
import { servicesOf } from './decision-figures';
import type { Catalogue } from '../../../kiosk-config/schema';
import { bundlesPage, dashboardCss, dashboardPage, loginPage, uploadJs } from './dashboard-pages';
import { chainRepairCss, chainsPage } from './chain-repair-pages';

/** No inline script or style, no framing, forms only back to the gateway. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export interface DashboardOptions {
  store: GatewayStore;
  /** Service names and decision targets (default: every catalogue shipped, Belize's first). */
  catalogues?: Catalogue[];
  now?: () => Date;
  auth?: AdminAuth;
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The fleet dashboard under `/admin`: login, the fleet page, CSV export and the USB bundle upload.
 * Registered in its own scope so its form and file parsers do not touch the protocol routes.
 */
export async function registerDashboard(
  app: FastifyInstance,
  options: DashboardOptions,
): Promise<void> {
  const now = options.now ?? (() => new Date());
  const auth = options.auth ?? createAdminAuth({ store: options.store });
  const sealing = await loadOrCreateSealingKey(options.store);
  const services = servicesOf(options.catalogues ?? shippedCatalogues());
  // Times on the pages read as the served country's clock (the first catalogue's).
  const timeZone = [...services.values()][0]?.timeZone ?? 'UTC';

  await app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'string', bodyLimit: MAX_BUNDLE_BYTES },
      (_request, body, done) => done(null, String(body)),
    );
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .header('x-frame-options', 'DENY')
        .header('cache-control', 'no-store');
      return payload;
    });

    const sameOrigin = (request: FastifyRequest): boolean => {
      // Browsers send Origin on every POST; one from another site is a forged form. (With a
      // no-referrer policy Chromium sends `Origin: null`, hence the same-origin policy above.)
      const origin = request.headers.origin;
      if (!origin) return true;
      try {
        return new URL(origin).host === request.headers.host;
      } catch {
        return false;
      }
    };
    const sessionOf = (request: FastifyRequest): AdminSession | undefined =>
      auth.session(cookie(request, SESSION_COOKIE));
    const html = (reply: FastifyReply, body: string, status = 200): FastifyReply =>
      reply.status(status).type('text/html; charset=utf-8').send(body);
    const secure = (request: FastifyRequest): string =>
      request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https'
        ? '; Secure'
        : '';
    /** Answers for a request without a live session; undefined when there is one. */
    const requireSession = (
      request: FastifyRequest,
      reply: FastifyReply,
      csrf?: string,
    ): AdminSession | undefined => {
      const session = sessionOf(request);
      if (!session) {
        void reply.redirect('/admin/login', 303);
        return undefined;
      }
      if (csrf !== undefined && (csrf !== session.csrf || !sameOrigin(request))) {
        void reply.status(403).send({ ok: false, message: 'the form is stale: reload the page' });
        return undefined;
      }
      return session;
    };

    scope.get('/admin/static/dashboard.css', async (_request, reply) =>
      reply.type('text/css; charset=utf-8').send(dashboardCss + chainRepairCss),
    );
    scope.get('/admin/static/upload.js', async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').send(uploadJs),
    );
    scope.get('/admin', async (request, reply) =>
      reply.redirect(sessionOf(request) ? '/admin/dashboard' : '/admin/login', 303),
    );
    scope.get('/admin/login', async (_request, reply) => html(reply, loginPage()));
    scope.post('/admin/login', async (request, reply) => {
      const form = z.object({ password: z.string().max(1000) }).safeParse(request.body);
      if (!form.success || !sameOrigin(request)) {
        return html(reply, loginPage('Enter the administrator password.'), 400);
      }
      const outcome = await auth.login(form.data.password, request.ip);
      switch (outcome.result) {
        case 'ok':
          void reply.header(
            'set-cookie',
            `${SESSION_COOKIE}=${outcome.session.token}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${8 * 3600}${secure(request)}`,
          );
          return reply.redirect('/admin/dashboard', 303);
        case 'wrong-password':
          request.log.warn({ ip: request.ip }, 'admin login failed');
          return html(
            reply,
            loginPage(`Wrong password. ${outcome.attemptsLeft} attempts left.`),
            401,
          );
        case 'locked':
          request.log.warn({ ip: request.ip }, 'admin login locked');
          return html(
            reply,
            loginPage(
              `Too many wrong passwords. Try again in ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes.`,
            ),
            429,
          );
        case 'no-password':
          return html(
            reply,
            loginPage(
              'No administrator password is set: start the gateway with --admin-password-file.',
            ),
            503,
          );
      }
    });
    scope.post('/admin/logout', async (request, reply) => {
      const form = z.object({ csrf: z.string() }).safeParse(request.body);
      if (!requireSession(request, reply, form.success ? form.data.csrf : '')) return reply;
      auth.logout(cookie(request, SESSION_COOKIE));
      void reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${secure(request)}`,
      );
      return reply.redirect('/admin/login', 303);
    });
    scope.get('/admin/dashboard', async (request, reply) => {
      const session = requireSession(request, reply);
      if (!session) return reply;
      return html(
        reply,
        dashboardPage(await loadFleetView(options.store, now(), services), session.csrf),
      );
    });
    scope.get('/admin/export.csv', async (request, reply) => {
      if (!requireSession(request, reply)) return reply;
      const day = now().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="service-point-transactions-${day}.csv"`,
        )
        .send(countsCsv(await loadFleetView(options.store, now(), services)));
    });
    // Wedged chains: see both records, choose, say why (sync/server/chain-repair.ts).
    scope.get('/admin/chains', async (request, reply) => {
      const session = requireSession(request, reply);
      if (!session) return reply;
      const query = z.object({ kiosk: z.string().max(64).optional() }).safeParse(request.query);
      const kiosk = query.success ? query.data.kiosk : undefined;
      const store = options.store;
      return html(
        reply,
        chainsPage(
          await store.chains.conflicts(kiosk),
          await store.chains.repairs(kiosk),
          session.csrf,
          timeZone,
        ),
      );
    });
    scope.post('/admin/chains/repair', async (request, reply) => {
      const form = z
        .object({
          csrf: z.string(),
          kioskId: z.string().min(1).max(64),
          seq: z.coerce.number().int().min(1),
          choice: z.string().regex(/^(?:held|\d{1,15})$/),
          decidedBy: z.string().trim().min(1).max(100),
          reason: z.string().max(1000),
        })
        .safeParse(request.body);
      const session = requireSession(
        request,
        reply,
        form.success ? form.data.csrf : String((request.body as { csrf?: unknown })?.csrf ?? ''),
      );
      if (!session) return reply;
      const store = options.store;
      const show = async (status: number, message: { ok: boolean; text: string }) =>
        html(
          reply,
          chainsPage(
            await store.chains.conflicts(),
            await store.chains.repairs(),
            session.csrf,
            timeZone,
            message,
          ),
          status,
        );
      if (!form.success) {
        return show(400, { ok: false, text: 'Choose a record and give your name and the reason.' });
      }
      const { kioskId, seq, choice, decidedBy, reason } = form.data;
      const outcome = await store.chains.repair(
        kioskId,
        seq,
        choice === 'held' ? { keep: 'held' } : { keep: 'refused', conflictId: Number(choice) },
        { reason, decidedBy: `${decidedBy} (administrator, from ${request.ip})` },
      );
      if (!outcome.ok)
        return show(outcome.code === 'reason-required' ? 400 : 409, {
          ok: false,
          text: outcome.message,
        });
      request.log.warn({ kioskId, seq, choice, decidedBy, reason }, 'chain repaired');
      return show(200, {
        ok: true,
        text: `Repaired ${kioskId} at seq ${seq}: the chain head went from seq ${outcome.headBefore} to seq ${outcome.headAfter}.`,
      });
    });
    scope.get('/admin/bundles', async (request, reply) => {
      const session = requireSession(request, reply);
      if (!session) return reply;
      return html(reply, bundlesPage(session.csrf));
    });
    scope.post('/admin/bundles', async (request, reply) => {
      const csrf = request.headers['x-csrf-token'];
      if (!requireSession(request, reply, typeof csrf === 'string' ? csrf : '')) return reply;
      if (typeof request.body !== 'string') {
        return reply.status(400).send({ ok: false, message: 'send the bundle file as the body' });
      }
      const result = await importBundle(options.store, sealing, request.body);
      const message = describeImport(result);
      request.log.info({ bundle: result.ok ? result.manifest.bundleId : null }, message);
      return reply.status(result.ok ? 200 : 422).send({ ok: result.ok, message, result });
    });
  });
}
