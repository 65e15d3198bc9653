// pdf.js says what it leaves out of a page (an image over maxImageSize) only as a console warning. While a PDF is
// read its warnings are taken off the console: the innermost collector gets each one (a page being rendered, else
// the document, which drops them as verbosity 0 did). Nested PDFs (attachments) stack.
const collectors: ((warning: string) => void)[] = [];
let consoleWarn: typeof console.warn | undefined;

const PREFIX = 'Warning: ';

export async function collectPdfWarnings<T>(f: () => Promise<T>, onWarning: (warning: string) => void): Promise<T> {
  if (!consoleWarn) {
    const original = (consoleWarn = console.warn);
    console.warn = (...args: unknown[]) => {
      const line = args.map(String).join(' ');
      const collector = collectors.at(-1);
      if (collector && line.startsWith(PREFIX)) collector(line.slice(PREFIX.length));
      else original.apply(console, args);
    };
  }
  collectors.push(onWarning);
  try {
    return await f();
  } finally {
    collectors.splice(collectors.lastIndexOf(onWarning), 1);
    if (!collectors.length && consoleWarn) {
      console.warn = consoleWarn;
      consoleWarn = undefined;
    }
  }
}
