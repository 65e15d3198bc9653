// Public surface of search: searchIndex and its types.
export { searchIndex, DEFAULT_CANDIDATES, type SearchOptions } from './search.js';
export { DEFAULT_FUSION, fuse, type FusionOptions, type FusionMethod } from './fusion.js';
export { queryTerms } from '../text/query-terms.js';
export { buildMatchExpression } from '../store/sqlite/fts-query.js';
export { makeSnippet, type Snippet } from './snippet.js';
export type { SearchQuery, SearchHit, SearchExplain, SearchMode, GroupBy } from './types.js';
