// The text corpus of examples/lm.ts: every fortune cookie file of Debian's
// `fortunes` package, split into training and validation fortunes, with the
// character vocabulary that maps the text to token ids and back.

import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where Debian's fortunes and fortunes-min packages put their cookie files. */
export const FORTUNES_DIR = "/usr/share/games/fortunes";

/** The characters of a text, sorted, each with its token id (its index). */
export class CharVocab {
  readonly chars: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  get size(): number {
    return this.chars.length;
  }

  /** The token ids of `text`; throws on a character outside the vocabulary. */
  encode(text: string): Int32Array {
    const chars = [...text];
    return Int32Array.from(chars, (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`CharVocab.encode: character ${JSON.stringify(c)} is not in the vocabulary`);
      return id;
    });
  }

  /** The text of token ids `ids`; throws on an id outside the vocabulary. */
  decode(ids: Iterable<number>): string {
    let text = "";
    for (const id of ids) {
      const c = this.chars[id];
      if (c === undefined) throw new Error(`CharVocab.decode: token id ${id} is outside the vocabulary of ${this.size}`);
      text += c;
    }
    return text;
  }
}

/** The fortunes of a cookie file's text: the entries between lines holding only "%", trailing newline kept, empty ones dropped. */
export function splitFortunes(fileText: string): string[] {
  return fileText.split(/^%\n/m).filter((f) => f.trim() !== "");
}

export interface Corpus {
  vocab: CharVocab;
  /** The training fortunes, each followed by a "%" line as in the files. */
  train: string;
  /** Every `validationEvery`-th fortune, in the same form. */
  validation: string;
  /** The cookie files read, sorted. */
  files: string[];
}

/**
 * Reads every cookie file in `dir` (not the `.dat` indexes or the `.u8`
 * links), in name order, and puts every `validationEvery`-th fortune in the
 * validation text and the others in the training text. The vocabulary covers
 * both.
 */
export function readCorpus(dir = FORTUNES_DIR, validationEvery = 10): Corpus {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: install Debian's fortunes package (apt-get install fortunes)`);
  const files = readdirSync(dir).filter((f) => !f.endsWith(".dat") && !f.endsWith(".u8") && lstatSync(join(dir, f)).isFile()).sort();
  if (files.length === 0) throw new Error(`${dir} holds no fortune files`);
  const fortunes = files.flatMap((f) => splitFortunes(readFileSync(join(dir, f), "utf8")));
  const entry = (f: string) => `${f.endsWith("\n") ? f : f + "\n"}%\n`;
  const train = fortunes.filter((_, i) => i % validationEvery !== validationEvery - 1).map(entry).join("");
  const validation = fortunes.filter((_, i) => i % validationEvery === validationEvery - 1).map(entry).join("");
  return { vocab: new CharVocab(train + validation), train, validation, files };
}
