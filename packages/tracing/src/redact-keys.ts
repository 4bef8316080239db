// What redaction knows about an attribute key, found with one lookup per attribute: whether its
// whole value is a secret, the key itself masked, and the last value seen under it with its
// masked form (span text repeats from span to span; a miss costs one comparison).

/** Longer keys and values are not remembered: they rarely repeat, and memory must stay small. */
export const REMEMBERED_LENGTH = 1024;

export interface KeyFacts {
  /** The whole value is masked (`user.password`, `…authorization`). */
  readonly secret: boolean;
  /** The key with secrets inside it masked (usually the key itself). */
  readonly maskedKey: string;
  /** The last string value seen under the key, and what it became. */
  text: string | undefined;
  answer: string | undefined;
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
    const facts: KeyFacts = { ...this.judge(key), text: undefined, answer: undefined };
    if (this.facts.size < this.limit && key.length <= REMEMBERED_LENGTH) this.facts.set(key, facts);
    return facts;
  }

  /** `text` masked by `mask`, remembered as the key's last value when it is short enough. */
  static value(facts: KeyFacts, text: string, mask: (text: string) => string): string {
    if (facts.text === text) return facts.answer as string;
    const answer = mask(text);
    if (text.length <= REMEMBERED_LENGTH) {
      facts.text = text;
      facts.answer = answer;
    }
    return answer;
  }
}
