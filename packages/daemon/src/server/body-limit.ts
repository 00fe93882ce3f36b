/** The largest request body buffered in memory: JSON bodies, and the options body before a hijacked stream. */
export const JSON_BODY_LIMIT = 16 * 1024 * 1024;
