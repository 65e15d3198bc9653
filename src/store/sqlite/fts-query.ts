// A safe FTS5 MATCH expression from free user text (never a syntax error).
import { queryTerms } from '../../text/query-terms.js';

/**
 * An FTS5 expression OR-ing every term, each a quoted string (`"` doubled inside), e.g. `"e" OR "4471"`.
 * Quoted strings are never parsed as operators, so AND/NEAR/`*`/`:` in user text stay plain words.
 * Returns null when the text has no searchable term.
 */
export function buildMatchExpression(text: string): string | null {
  const terms = queryTerms(text);
  if (!terms.length) return null;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}
