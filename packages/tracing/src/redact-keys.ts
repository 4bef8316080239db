// What redaction knows about an attribute key, found with one lookup per attribute: whether its
// whole value is a secret, the key itself masked, and the last few values seen under it with their
// masked forms (span text repeats from span to span, and one key often takes turns between a few
// values across span kinds; a miss costs a few comparisons, not a hash of the text).

/** Longer keys and values are not remembered: they rarely repeat, and memory must stay small. */
export const REMEMBERED_LENGTH = 1024;
/** Values remembered per key. */
const RECENT = 4;

export interface KeyFacts {
  /** The whole value is masked (`user.password`, `…authorization`). */
  readonly secret: boolean;
  /** The key with secrets inside it masked (usually the key itself). */
  readonly maskedKey: string;
  /** Recent string values seen under the key, and what each became; `next` is overwritten next. */
  readonly texts: (string | undefined)[];
  readonly answers: string[];
  next: number;
}

export class KeyMemo {
  private readonly facts = new Map<string, KeyFacts>();

  constructor(
    private readonly limit: number,
    private readonly judge: (key: string) => { secret: boolean; maskedKey: string },
  ) {}

  /** The facts about `key`, judged on first sight. */
  of(key: string): KeyFacts {
    const known = this.facts.get(key);
    if (known !== undefined) return known;
    const facts: KeyFacts = { ...this.judge(key), texts: [], answers: [], next: 0 };
    if (this.facts.size < this.limit && key.length <= REMEMBERED_LENGTH) this.facts.set(key, facts);
    return facts;
  }

  /** `text` masked by `mask`, remembered among the key's recent values when short enough. */
  static value(facts: KeyFacts, text: string, mask: (text: string) => string): string {
    const { texts } = facts;
    for (let i = 0; i < texts.length; i++) {
      if (texts[i] === text) return facts.answers[i] as string;
    }
    const answer = mask(text);
    if (text.length <= REMEMBERED_LENGTH) {
      texts[facts.next] = text;
      facts.answers[facts.next] = answer;
      facts.next = (facts.next + 1) % RECENT;
    }
    return answer;
  }
}
