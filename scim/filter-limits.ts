/**
 * Limits on SCIM filter text, checked before anything expands it. scimmy turns a filter into
 * OR-of-ANDs (disjunctive normal form): `(a or b) and (c or d) and …` doubles with every group,
 * so 16 such groups (475 characters) became 65,536 branches, a 42 MB SQL statement and more bind
 * parameters than PostgreSQL accepts. This scan reads the text once, without expanding it, and
 * counts comparisons, nesting depth and the number of branches the expansion would produce
 * (saturating arithmetic, negation by De Morgan), so the cost of any accepted filter is bounded.
 */
import { ScimError, type ScimType } from "./errors";

export const FILTER_LIMITS = { length: 1000, comparisons: 50, depth: 10, branches: 64 } as const;

const OPS = new Set(["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"]);
const CAP = 1e9;
const add = (a: number, b: number) => Math.min(CAP, a + b);
const mul = (a: number, b: number) => Math.min(CAP, a * b);

/** Branches of the expression (pos) and of its negation (neg), in disjunctive normal form. */
interface Size { pos: number; neg: number }

type Token = { t: "(" | ")" | "[" | "]" | "str" | "word"; v: string };

function tokenize(text: string, fail: (m: string) => never): Token[] {
  const out: Token[] = [];
  const re = /\s+|([()[\]])|("(?:[^"\\]|\\.)*")|([^\s()[\]"]+)|(.)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== "") {
    if (m[1]) out.push({ t: m[1] as Token["t"], v: m[1] });
    else if (m[2]) out.push({ t: "str", v: m[2] });
    else if (m[3]) out.push({ t: "word", v: m[3] });
    else if (m[4]) fail(`unexpected character ${JSON.stringify(m[4])}`);
  }
  return out;
}

class Scan {
  private i = 0;
  comparisons = 0;
  constructor(private readonly toks: Token[], private readonly fail: (m: string) => never, private readonly tooMany: (m: string) => never) {}

  private peekWord(): string | undefined {
    const k = this.toks[this.i];
    return k?.t === "word" ? k.v.toLowerCase() : undefined;
  }
  private expect(t: Token["t"]): void {
    if (this.toks[this.i]?.t !== t) this.fail(`expected '${t}'`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  expr(depth: number): Size {
    if (depth > FILTER_LIMITS.depth) this.tooMany(`nested more than ${FILTER_LIMITS.depth} levels deep`);
    let s = this.term(depth);
    while (this.peekWord() === "or") {
      this.i++;
      const r = this.term(depth);
      s = { pos: add(s.pos, r.pos), neg: mul(s.neg, r.neg) };
    }
    return s;
  }

  private term(depth: number): Size {
    let s = this.factor(depth);
    while (this.peekWord() === "and") {
      this.i++;
      const r = this.factor(depth);
      s = { pos: mul(s.pos, r.pos), neg: add(s.neg, r.neg) };
    }
    return s;
  }

  private factor(depth: number): Size {
    const k = this.toks[this.i];
    if (!k) this.fail("the filter ends too early");
    if (k.t === "(") {
      this.i++;
      const s = this.expr(depth + 1);
      this.expect(")");
      return s;
    }
    if (k.t === "word" && k.v.toLowerCase() === "not" && this.toks[this.i + 1]?.t === "(") {
      this.i += 2;
      const s = this.expr(depth + 1);
      this.expect(")");
      return { pos: s.neg, neg: s.pos };
    }
    if (k.t !== "word") this.fail(`expected an attribute, found '${k.v}'`);
    this.i++;
    if (this.toks[this.i]?.t === "[") {
      this.i++;
      const s = this.expr(depth + 1);
      this.expect("]");
      // `emails[type eq "work"].value ew "@x.test"`: a sub-attribute and a comparison may follow.
      const next = this.toks[this.i];
      if (next?.t !== "word" || !next.v.startsWith(".")) return s;
      this.i++;
      const c = this.comparison();
      return { pos: mul(s.pos, c.pos), neg: add(s.neg, c.neg) };
    }
    return this.comparison();
  }

  private comparison(): Size {
    const op = this.peekWord();
    if (op === undefined || (op !== "pr" && !OPS.has(op))) this.fail("expected an operator");
    this.i++;
    if (op !== "pr") {
      const v = this.toks[this.i];
      if (!v || (v.t !== "str" && v.t !== "word")) this.fail(`'${op}' needs a value`);
      this.i++;
    }
    if (++this.comparisons > FILTER_LIMITS.comparisons) this.tooMany(`more than ${FILTER_LIMITS.comparisons} comparisons`);
    return { pos: 1, neg: 1 };
  }
}

/**
 * Throws a 400 unless `text` is a filter of bounded cost: at most FILTER_LIMITS.length characters,
 * comparisons and depth, and at most FILTER_LIMITS.branches OR-of-AND branches once expanded.
 * `scimType` is invalidFilter for ?filter= and invalidPath inside a PATCH path.
 */
export function assertFilterWithinLimits(text: string, scimType: ScimType = "invalidFilter"): void {
  const fail = (m: string): never => { throw new ScimError(400, scimType, `The filter could not be parsed: ${m}.`); };
  const tooMany = (m: string): never => {
    throw new ScimError(400, "tooMany", `The filter is too complex (${m}); split it into simpler requests.`);
  };
  if (text.length > FILTER_LIMITS.length) tooMany(`longer than ${FILTER_LIMITS.length} characters`);
  const scan = new Scan(tokenize(text, fail), fail, tooMany);
  const size = scan.expr(0);
  if (!scan.done()) fail("unexpected text after the end of the filter");
  if (size.pos > FILTER_LIMITS.branches) tooMany(`expands to more than ${FILTER_LIMITS.branches} alternatives`);
}
