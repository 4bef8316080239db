// The shell commands of a runbook: the lines of its ```sh blocks and the inline code that starts
// with a program the checks know, split into words and pipeline stages the way a shell would, so
// each command can be checked against what the stack has.

/** One command of a pipeline, its redirections taken out. */
export interface Command {
  readonly words: readonly string[];
  /** The whole line, for messages. */
  readonly line: string;
}

/** Every command line of the ```sh blocks, comments dropped, `\` continuations joined. */
export function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const [, block] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const raw of (block as string).split('\n')) {
      const line = pending + raw;
      if (line.endsWith('\\')) {
        pending = `${line.slice(0, -1)} `;
        continue;
      }
      pending = '';
      const code = stripComment(line).trim();
      if (code) lines.push(code);
    }
  }
  return lines;
}

/** Programs whose commands are checked wherever they appear: inline code starting with one is a command. */
const CHECKED = /^(kubectl|docker|amtool|promtool|curl|infra\/scripts\/\S+)(\s|$)/;

/**
 * The commands of a runbook: every ```sh line, and every inline code span outside the blocks that
 * starts with a checked program (`kubectl -n monitoring logs alertmanager-0`).
 *
 * @example
 * commandLines('Run `kubectl -n monitoring get pvc` or `top`.'); // ['kubectl -n monitoring get pvc']
 */
export function commandLines(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  // Two words name a tool (`kubectl kustomize`, `docker stats`); a command gives more.
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)]
    .map((m) => (m[1] as string).trim())
    .filter((code) => CHECKED.test(code) && code.split(/\s+/).length > 2);
  return [...shellLines(markdown), ...inline];
}

/**
 * Commands outside code, where no check sees them (`run kubectl -n monitoring get pods`): a
 * checked program followed by a flag. Every command a runbook gives must be code.
 */
export function commandsInProse(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\b(kubectl|amtool|promtool|docker compose) --?[a-z][^\n]*/g)].map(
    (m) => m[0],
  );
}

/** `line` without a trailing `# comment` (a `#` outside quotes, after a space). */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || line[i - 1] === ' ')) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** A `<placeholder>` starts at `i`: the reader fills it in, so it is a word, not a redirection. */
const placeholderAt = (line: string, i: number): number => {
  const m = /^<[\w.:-]+>/.exec(line.slice(i));
  return m ? m[0].length : 0;
};

/**
 * Words of a line as the shell splits them; `|`, `<` and `>` are words of their own, except in a
 * `<placeholder>` (`-n <namespace>`, `--end=<date>T04:00:00Z`).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    const placeholder = quote ? 0 : placeholderAt(line, i);
    if (placeholder) {
      word = (word ?? '') + line.slice(i, i + placeholder);
      i += placeholder - 1;
    } else if (quote) {
      if (c === quote) quote = '';
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '|' || c === '<' || c === '>') {
      if (word !== undefined) words.push(word);
      words.push(c);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The commands of a line's pipeline, without their `< file` and `> file` redirections. */
export function pipeline(line: string): Command[] {
  const stages: string[][] = [[]];
  const words = shellWords(line);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '|') stages.push([]);
    else if (w === '<' || w === '>') i += 1;
    else stages[stages.length - 1]?.push(w);
  }
  return stages.map((words) => ({ words, line }));
}

/**
 * The value of `--name=value` or `--name value` (or `-n value`) in `words`, if given.
 *
 * @example
 * option(['kubectl', '-n', 'monitoring', 'get', 'pods'], '-n'); // 'monitoring'
 */
export function option(words: readonly string[], name: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === name) return words[i + 1];
    if (w.startsWith(`${name}=`)) return w.slice(name.length + 1);
  }
  return undefined;
}
