import pino from 'pino';

export function createLogger(level: string) {
  return pino({
    level,
    base: { service: 'tiede' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.key', '*.apiKey'], censor: '[redacted]' },
  });
}
