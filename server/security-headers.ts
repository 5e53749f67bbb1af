import helmet from 'helmet';

/**
 * Security headers (helmet's, with a CSP for a self-contained SPA). helmet
 * would rebuild them on every request; they never change, so they are computed
 * once here; server/app.ts sets them from this map on each response.
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | string[]) => void (headers[name] = Array.isArray(value) ? value.join(', ') : value),
    removeHeader: (name: string) => void delete headers[name],
  };
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Self-hosters often serve plain http on a LAN address; upgrading would break every asset.
        upgradeInsecureRequests: null,
      },
    },
  });
  middleware({} as never, res as never, () => undefined);
  return headers;
}
