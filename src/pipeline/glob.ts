// Minimal glob matching for --ignore and --path: *, **, ?, [..] and {a,b}; no dependency needed.

export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inBraces = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more directories; a bare "**" matches anything.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  return new RegExp('^' + re + '$');
}

export interface GlobMatcher {
  (relPath: string): boolean;
}

/** Patterns without a slash match any path segment's name, like .gitignore; others match the whole relative path. */
export function compileGlobs(patterns: string[]): GlobMatcher {
  const compiled = patterns.map((p) => {
    const trimmed = p.replace(/^\.\//, '').replace(/\/$/, '');
    return { anySegment: !trimmed.includes('/'), re: globToRegExp(trimmed) };
  });
  return (relPath: string) =>
    compiled.some(({ anySegment, re }) => (anySegment ? relPath.split('/').some((seg) => re.test(seg)) : re.test(relPath)));
}
