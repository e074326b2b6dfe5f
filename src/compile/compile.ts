/**
 * Compile a model once into generated JavaScript; run it many times.
 */
import { canonicalName, displayName } from '../equations/names.js';
import { BudgetError, DEFAULT_BUDGETS, resolveBudgets, type Budgets } from '../model/budgets.js';
import { ModelError } from '../model/errors.js';
import type { Diagnostic, IntegrationMethod, Model, SimSpecs } from '../model/types.js';
import { Rng, mixSeed, runtime, type LookupTable } from '../simulate/runtime.js';
import type {
  Backend,
  CompiledModel,
  ModelGraph,
  OutputVariable,
  Parameter,
  Results,
  RunOptions,
  Simulation,
  SimulationOptions,
} from '../simulate/types.js';
import { findBuiltin } from '../equations/builtins.js';
import { generate, type GenerateOptions, type Program } from './codegen.js';
import type { IR } from './ir.js';
import { lowerModel, type LoweredModel } from './lower.js';
import { wasmAvailable, WasmRunner } from '../wasm/backend.js';
import { translate, type WasmProgram } from '../wasm/translate.js';

interface GeneratedFns {
  init(s: Float64Array, t: number, dt: number, X: RunContext, ov: Float64Array): void;
  aux(s: Float64Array, t: number, dt: number, X: RunContext): void;
  rates(s: Float64Array, r: Float64Array, t: number, dt: number, X: RunContext): void;
  draw(s: Float64Array, X: RunContext): void;
  post(s: Float64Array, X: RunContext): void;
  applyPrevious(s: Float64Array, X: RunContext): void;
  clamp(s: Float64Array): void;
  eulerRun: WholeRun;
  /** Present when the program's `fusedRk` is set. */
  rk2Run?: WholeRun;
  rk4Run?: WholeRun;
}

/** A whole run from the initial state: saves every `saveEvery` steps into `cols` (slots `pos`). */
type WholeRun = (
  s: Float64Array,
  r: Float64Array,
  X: RunContext,
  start: number,
  dt: number,
  steps: number,
  saveEvery: number,
  cols: Float64Array[],
  pos: number[],
) => void;

interface RunContext {
  start: number;
  stop: number;
  step: number;
  rng: Rng[];
  hist: Float64Array[];
  pending: Float64Array;
}

export interface CompileOutput {
  compiled?: CompiledModel;
  diagnostics: Diagnostic[];
}

export function compile(
  model: Model,
  options: GenerateOptions & { budgets?: Partial<Budgets> } = {},
): CompileOutput {
  const budgets = resolveBudgets(options.budgets);
  const lm = lowerModel(model, budgets);
  const diagnostics = [...lm.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const gen = generate(lm, options);
  for (const d of gen.diagnostics)
    diagnostics.push({ ...d, file: d.file ?? model.file, ...locOf(model, d.variable) });
  if (!gen.program) return { diagnostics };
  let fns: GeneratedFns;
  try {
    fns = instantiate(gen.program, lm.tables);
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      code: 'internal',
      message: `code generation failed: ${(err as Error).message}`,
      file: model.file,
    });
    return { diagnostics };
  }
  const dynamic = dynamicControls(model, lm, gen.program, diagnostics);
  return { compiled: new Compiled(model, lm, gen.program, fns, budgets, dynamic), diagnostics };
}

/** Slot positions of the variables that set the run's end, step and save interval as it goes. */
interface DynamicSlots {
  stop?: number;
  dt?: number;
  save?: number;
}

/** Does any equation of the lowered model call a builtin whose emitted code counts whole steps (PULSE)? */
function countsSteps(lm: LoweredModel): boolean {
  const some = (ir: IR | undefined): boolean => {
    if (!ir) return false;
    switch (ir.k) {
      case 'neg':
      case 'not':
        return some(ir.a);
      case 'bin':
        return some(ir.a) || some(ir.b);
      case 'if':
        return some(ir.c) || some(ir.a) || some(ir.b);
      case 'chain':
      case 'rt':
        return ir.args.some(some);
      case 'fn': {
        const f = findBuiltin(ir.name.toLowerCase());
        return !!f?.emit?.(ir.args.map((_, i) => `a${i}`)).includes('X.step') || ir.args.some(some);
      }
      case 'lookup':
        return some(ir.x);
      case 'dyn':
        return some(ir.idx);
      case 'delay':
        return true;
      default:
        return false;
    }
  };
  return lm.slots.some((sl) => some(sl.eq) || some(sl.rate) || some(sl.initEq));
}

/**
 * The slots of `simSpecs.dynamic`'s variables, when the run can follow them: no equation that
 * counts whole steps (pipeline delays, PULSE), since those assume one fixed step.
 * Otherwise each such variable is taken at its value at the start, with a warning naming why.
 */
function dynamicControls(
  model: Model,
  lm: LoweredModel,
  program: Program,
  diagnostics: Diagnostic[],
): DynamicSlots | undefined {
  const d = model.simSpecs.dynamic;
  if (!d || (!d.stop && !d.dt && !d.saveStep)) return undefined;
  const named: [keyof DynamicSlots, string][] = [];
  if (d.stop) named.push(['stop', d.stop]);
  if (d.dt) named.push(['dt', d.dt]);
  if (d.saveStep) named.push(['save', d.saveStep]);
  const why =
    lm.histories.length > 0 || countsSteps(lm)
      ? 'the model has equations that count whole steps of one size (DELAY FIXED, pipeline delays, PULSE)'
      : undefined;
  const out: DynamicSlots = {};
  for (const [part, name] of named) {
    const vi = lm.vars.find((v) => v.key === canonicalName(name) && v.size === 1);
    const reason = why ?? (vi ? undefined : `'${displayName(name)}' is not a scalar variable of the model`);
    if (reason || !vi) {
      const value =
        part === 'stop' ? model.simSpecs.stop : part === 'dt' ? model.simSpecs.dt : model.simSpecs.saveStep;
      diagnostics.push({
        severity: 'warning',
        code: 'dynamic-control',
        message: `${displayName(name)} changes during the run, but ${reason}; its value at the start (${value}) is used throughout`,
        file: model.file,
        ...locOf(model, name),
        variable: displayName(name),
      });
      continue;
    }
    out[part] = program.position[vi.base]!;
  }
  return Object.keys(out).length ? out : undefined;
}

function instantiate(program: Program, tables: LookupTable[]): GeneratedFns {
  const factory = new Function('R', 'G', program.source) as (
    r: typeof runtime,
    g: LookupTable[],
  ) => GeneratedFns;
  return factory(runtime, tables);
}

/**
 * What a simulation needs as plain, structured-clonable data: the generated program, its
 * tables, the run plan, the outputs and the settable names. A worker makes its simulation from
 * this without reading, lowering or generating the model again.
 */
export interface SimulationImage {
  program: Program;
  tables: LookupTable[];
  plan: Plan;
  positions: number[];
  names: string[];
  /** Parameter key -> slot positions. */
  parameters: [string, number[]][];
  /** Every name that exists, settable or not (for the error messages). */
  known: string[];
  /** The WebAssembly translation, when the simulation runs on it (see `SimulationOptions.backend`). */
  wasm?: WasmProgram;
}

/** A simulation made from an image (see `SimulationImage`). */
export function simulationFromImage(image: SimulationImage): Simulation {
  const owner = new ImageOwner(image, instantiate(image.program, image.tables));
  const sim = new SimulationImpl(owner, image.plan, image.positions, image.names);
  if (image.wasm) sim.useWasm(image.wasm);
  return sim;
}

/** What a simulation asks of the compiled model it belongs to. */
interface SimulationOwner {
  readonly prog: Program;
  readonly generated: GeneratedFns;
  parameterPositions(name: string): number[];
  prime(whole: WholeRun, s0: Float64Array, X0: RunContext, start: number, dt: number): void;
}

class ImageOwner implements SimulationOwner {
  private readonly paramPositions: Map<string, number[]>;
  private readonly knownNames: Set<string>;
  private readonly primed = new WeakSet<WholeRun>();
  constructor(
    private readonly image: SimulationImage,
    readonly generated: GeneratedFns,
  ) {
    this.paramPositions = new Map(image.parameters);
    this.knownNames = new Set(image.known);
  }
  get prog(): Program {
    return this.image.program;
  }
  parameterPositions(name: string): number[] {
    return findParameter(this.paramPositions, this.knownNames, name);
  }
  prime(whole: WholeRun, s0: Float64Array, X0: RunContext, start: number, dt: number): void {
    primeRun(this.primed, this.image.program, whole, s0, X0, start, dt);
  }
}

/** Slot positions of a settable parameter, or a ModelError saying why the name cannot be set. */
function findParameter(
  positions: Map<string, number[]>,
  known: { has(key: string): boolean },
  name: string,
): number[] {
  const key = outputKey(name);
  const p = positions.get(key);
  if (p) return p;
  const m = known.has(key)
    ? `'${displayName(name)}' cannot be set: it is not a constant (its value changes during the run)`
    : `unknown parameter '${displayName(name)}'`;
  throw new ModelError(m, [
    {
      severity: 'error',
      code: known.has(key) ? 'not-a-constant' : 'unknown-variable',
      message: m,
    },
  ]);
}

/**
 * Before a whole-run function's first real run, call it a few times on a copy of the initial
 * state for a few steps. V8 then has type feedback for every statement and optimises the
 * function on entry; otherwise the first long run marks it hot inside its loop, V8 optimises it
 * with feedback missing for the statements before the loop, drops that code at the next call
 * and runs the loop in on-stack-replacement code (several times slower) for many runs after.
 * The copies are scratch: the run's state, streams and histories are untouched.
 */
function primeRun(
  primed: WeakSet<WholeRun>,
  program: Program,
  whole: WholeRun,
  s0: Float64Array,
  X0: RunContext,
  start: number,
  dt: number,
): void {
  if (primed.has(whole)) return;
  primed.add(whole);
  const steps = PRIME_STEPS;
  const s = new Float64Array(s0.length);
  const X: RunContext = {
    start: X0.start,
    stop: X0.stop,
    step: 0,
    rng: X0.rng.map(() => new Rng(0)),
    hist: X0.hist.map(() => new Float64Array(steps + 1)),
    pending: new Float64Array(X0.pending.length),
  };
  const r = new Float64Array(program.nStocks);
  const cols = [new Float64Array(steps + 1)];
  for (let i = 0; i < PRIME_CALLS; i++) {
    s.set(s0);
    whole(s, r, X, start, dt, steps, 1, cols, [0]);
  }
}

function locOf(model: Model, variable?: string): { line?: number; column?: number } {
  if (!variable) return {};
  const key = canonicalName(variable.replace(/\[.*$/, ''));
  const v = model.variables.find((x) => canonicalName(x.name) === key);
  return v?.loc ? { line: v.loc.line, column: v.loc.column } : {};
}

/** `backend: 'auto'`: warm-up runs per back end, timed rounds, and the margin WebAssembly must win by. */
const AUTO_WARMUP = 12;
const AUTO_ROUNDS = 5;
const AUTO_MARGIN = 0.05;

/** Priming calls of a whole-run function, and the steps each runs (see `Compiled.prime`). */
const PRIME_CALLS = 30;
const PRIME_STEPS = 4;

export interface Plan {
  start: number;
  stop: number;
  dt: number;
  method: IntegrationMethod;
  steps: number;
  saveEvery: number;
  rows: number;
  seed: number;
  /**
   * Slots whose values set the end, the step and the save interval as the run goes (see
   * `SimSpecs.dynamic`); `steps` and `rows` then hold those of the values at the start, and the
   * budgets bound the run as it grows.
   */
  dynamic?: DynamicSlots & { maxSteps: number; maxCells: number };
}

class Compiled implements CompiledModel, SimulationOwner {
  readonly outputs: OutputVariable[];
  readonly simSpecs: SimSpecs;
  readonly graph: ModelGraph;
  /** Output name key -> index in `outputs`; `outputPos` holds each output's slot position. */
  private readonly outputIndex = new Map<string, number>();
  private readonly outputPos: number[] = [];
  /** Parameter key -> slot positions (an array name covers all its elements). */
  private readonly paramPositions = new Map<string, number[]>();
  /** Keys of the variables (array names too); with `outputIndex`, every name that exists, for clear messages. */
  private readonly varKeys = new Set<string>();
  private readonly knownNames = {
    has: (key: string): boolean => this.outputIndex.has(key) || this.varKeys.has(key),
  };

  constructor(
    readonly model: Model,
    private readonly lm: LoweredModel,
    private readonly program: Program,
    private readonly fns: GeneratedFns,
    readonly budgets: Budgets = DEFAULT_BUDGETS,
    private readonly dynamic?: DynamicSlots,
  ) {
    this.simSpecs = model.simSpecs;
    this.outputs = [];
    for (const vi of lm.vars) {
      const keys = elementKeys(vi);
      // A model variable's slots carry its element labels (`elementLabel`), written once by lowering;
      // where the keys can be made from the parts (`keys`), so can the subscripts.
      const split = keys !== undefined;
      for (let e = 0; e < vi.size; e++) {
        const name = lm.slots[vi.base + e]!.label;
        const pos = program.position[vi.base + e]!;
        this.outputs.push({
          name,
          base: vi.display,
          subscript: split
            ? vi.dims.map((d, i) => d.elements[Math.floor(e / vi.strides[i]!) % d.elements.length]!)
            : vi.dims.length
              ? name.slice(vi.display.length + 1, -1).split(',')
              : undefined,
          kind: vi.v.kind,
          units: vi.v.units,
          doc: vi.v.doc,
        });
        this.outputPos.push(pos);
        const key = keys ? keys(e) : outputKey(name);
        this.outputIndex.set(key, this.outputs.length - 1);
        if (program.overridable[pos]) {
          const list = this.paramPositions.get(key) ?? [];
          list.push(pos);
          this.paramPositions.set(key, list);
          if (vi.dims.length) {
            const all = this.paramPositions.get(vi.key) ?? [];
            all.push(pos);
            this.paramPositions.set(vi.key, all);
          }
        }
      }
      this.varKeys.add(vi.key);
    }
    const nodes = lm.vars.map((vi) => ({ name: vi.display, kind: vi.v.kind }));
    this.graph = { nodes, edges: lm.edges };
  }

  private defaults?: Parameter[];
  /** The settable parameters with their default values, from one initialisation (made when first asked for). */
  get parameters(): Parameter[] {
    if (this.defaults) return this.defaults;
    const base = this.initialState();
    const { lm, program } = this;
    const out: Parameter[] = [];
    for (const vi of lm.vars) {
      for (let e = 0; e < vi.size; e++) {
        const pos = program.position[vi.base + e]!;
        if (!program.overridable[pos]) continue;
        out.push({
          name: lm.slots[vi.base + e]!.label,
          value: base[pos]!,
          kind: vi.v.kind === 'stock' ? 'stock-initial' : 'constant',
          units: vi.v.units,
          doc: vi.v.doc,
        });
      }
    }
    this.defaults = out;
    return out;
  }

  get source(): string {
    return this.program.source;
  }

  private initialState(): Float64Array {
    // Initialisation only: no steps are taken, so no history or saved row beyond the first.
    const plan = { ...this.plan({}, false), steps: 0, rows: 1 };
    const sim = new SimulationImpl(this, plan, []);
    sim.initialiseOnly();
    return sim.state;
  }

  /** @internal */
  plan(o: Omit<RunOptions, 'overrides' | 'vars'> & { columns?: number }, checkBudgets = true): Plan {
    const spec = this.simSpecs;
    const start = o.start ?? spec.start;
    const stop = o.stop ?? spec.stop;
    const dt = o.dt ?? spec.dt;
    const method = o.method ?? spec.method;
    const bad = (m: string) => new ModelError(m, [{ severity: 'error', code: 'bad-run-option', message: m }]);
    if (!Number.isFinite(start) || !Number.isFinite(stop)) throw bad('start and stop must be finite numbers');
    if (!(dt > 0) || !Number.isFinite(dt)) throw bad(`dt must be a positive number, got ${dt}`);
    if (stop < start) throw bad(`stop (${stop}) is before start (${start})`);
    // Whole steps that fit before stop (with slack for rounding: 0.3 / 0.1 is 2.9999999999999996);
    // rounding to the nearest ran past stop when dt does not divide the run (stop 1, dt 0.4 -> 1.2).
    const steps = Math.floor((stop - start) / dt + 1e-6);
    const b = this.budgets;
    if (checkBudgets && steps > b.steps)
      throw new BudgetError(
        'steps',
        `too many steps: the number of steps of dt ${dt} from ${start} to ${stop}`,
        steps,
        b.steps,
      );
    const saveStep = o.saveStep ?? spec.saveStep ?? dt;
    if (!(saveStep > 0)) throw bad(`save step must be positive, got ${saveStep}`);
    const saveEvery = Math.max(1, Math.round(saveStep / dt));
    const rows = Math.floor(steps / saveEvery) + 1;
    // Checked before any buffer exists: saved columns and the step histories of DELAY.
    const cells = rows * (o.columns ?? this.outputs.length) + (steps + 1) * this.program.nHistories;
    if (checkBudgets && cells > b.savedCells)
      throw new BudgetError(
        'savedCells',
        `the values the run would save (${rows.toLocaleString('en-US')} rows x ${(o.columns ?? this.outputs.length).toLocaleString('en-US')} variables` +
          (this.program.nHistories ? ` and ${this.program.nHistories} delay histories` : '') +
          ', fewer with --save-step or --vars)',
        cells,
        b.savedCells,
      );
    const plan: Plan = { start, stop, dt, method, steps, saveEvery, rows, seed: o.seed ?? 1 };
    // A stop, step or save interval given for the run replaces the model's changing one.
    const d = this.dynamic;
    if (d) {
      const follow: DynamicSlots = {};
      if (d.stop !== undefined && o.stop === undefined) follow.stop = d.stop;
      if (d.dt !== undefined && o.dt === undefined) follow.dt = d.dt;
      if (d.save !== undefined && o.saveStep === undefined) follow.save = d.save;
      if (Object.keys(follow).length) plan.dynamic = { ...follow, maxSteps: b.steps, maxCells: b.savedCells };
    }
    return plan;
  }

  private readonly primed = new WeakSet<WholeRun>();

  /** @internal */
  prime(whole: WholeRun, s0: Float64Array, X0: RunContext, start: number, dt: number): void {
    primeRun(this.primed, this.program, whole, s0, X0, start, dt);
  }

  /** A simulation's image, for a worker to make the same simulation (see `SimulationImage`). */
  image(options: Omit<RunOptions, 'overrides'> & { backend?: Backend } = {}): SimulationImage {
    const { backend, ...run } = options;
    options = run;
    const { names, positions } = this.resolveOutputs(options.vars);
    const wasm = backend && backend !== 'js' ? this.wasm().program : undefined;
    return {
      wasm,
      program: this.program,
      tables: this.lm.tables,
      plan: this.plan({ ...options, columns: positions.length }),
      positions,
      names,
      parameters: [...this.paramPositions],
      known: [...this.outputIndex.keys(), ...this.varKeys],
    };
  }

  /** @internal */
  get prog(): Program {
    return this.program;
  }
  /** @internal */
  get generated(): GeneratedFns {
    return this.fns;
  }
  /** @internal */
  get lowered(): LoweredModel {
    return this.lm;
  }

  /** @internal */
  resolveOutputs(vars: string[] | undefined): { names: string[]; positions: number[] } {
    if (!vars) return { names: this.outputs.map((o) => o.name), positions: [...this.outputPos] };
    const names: string[] = [];
    const positions: number[] = [];
    const unknown: string[] = [];
    for (const v of vars) {
      const key = outputKey(v);
      const idx = this.outputIndex.get(key);
      if (idx !== undefined) {
        names.push(this.outputs[idx]!.name);
        positions.push(this.outputPos[idx]!);
        continue;
      }
      // An array name: all its elements.
      const base = canonicalName(v);
      let found = false;
      this.outputs.forEach((o, i) => {
        if (o.subscript && canonicalName(o.base) === base) {
          names.push(o.name);
          positions.push(this.outputPos[i]!);
          found = true;
        }
      });
      if (found) continue;
      unknown.push(v);
    }
    if (unknown.length) {
      const m = `unknown variable(s): ${unknown.join(', ')}`;
      throw new ModelError(m, [{ severity: 'error', code: 'unknown-variable', message: m }]);
    }
    return { names, positions };
  }

  /** @internal */
  parameterPositions(name: string): number[] {
    return findParameter(this.paramPositions, this.knownNames, name);
  }

  run(options: RunOptions = {}): Results {
    const sim = this.simulation(options);
    for (const [name, value] of Object.entries(options.overrides ?? {})) {
      if (typeof value !== 'number' || Number.isNaN(value)) {
        const m = `the value for '${name}' must be a number`;
        throw new ModelError(m, [{ severity: 'error', code: 'bad-run-option', message: m }]);
      }
      for (const p of this.parameterPositions(name)) (sim as SimulationImpl).setPosition(p, value);
    }
    sim.run();
    return sim.results();
  }

  simulation(options: SimulationOptions = {}): Simulation {
    const { names, positions } = this.resolveOutputs(options.vars);
    const { prime, backend, ...run } = options;
    const plan = this.plan({ ...run, columns: positions.length });
    const sim = new SimulationImpl(this, plan, positions, names);
    if (prime === false) sim.prime = false;
    if (backend && backend !== 'js') {
      const w = this.wasm();
      if (w.program) sim.useWasm(w.program);
      else sim.backendNote = w.reason;
      if (backend === 'auto' && sim.backend === 'wasm') sim.keepFaster();
    }
    return sim;
  }

  private translation?: { program?: WasmProgram; reason?: string };
  /** The WebAssembly translation of the model, or why there is none (made once, when first asked for). */
  wasm(): { program?: WasmProgram; reason?: string } {
    if (!this.translation) {
      const t = translate(this.lm, this.program);
      const reason = t.reason ?? wasmAvailable(t.program!);
      this.translation = reason ? { reason } : { program: t.program };
    }
    return this.translation;
  }
}

/**
 * `outputKey(elementLabel(vi, e))` for every element `e` without parsing each label back: the
 * variable's key and each dimension's element keys computed once. Undefined when a label would
 * not split back into its parts (a `[` in the name, a `,` in an element), where the slow path holds.
 */
function elementKeys(vi: LoweredModel['vars'][number]): ((e: number) => string) | undefined {
  if (vi.dims.length === 0 || vi.display.includes('[')) return undefined;
  if (vi.dims.some((d) => d.elements.some((x) => x.includes(',')))) return undefined;
  const head = canonicalName(vi.display);
  const parts = vi.dims.map((d) => d.elements.map((x) => canonicalName(x)));
  return (e) => `${head}[${parts.map((ks, i) => ks[Math.floor(e / vi.strides[i]!) % ks.length]!).join(',')}]`;
}

function outputKey(name: string): string {
  const m = /^(.*?)\[(.*)\]\s*$/.exec(name);
  if (!m) return canonicalName(name);
  return `${canonicalName(m[1]!)}[${m[2]!
    .split(',')
    .map((p) => canonicalName(p))
    .join(',')}]`;
}

class SimulationImpl implements Simulation {
  readonly state: Float64Array;
  private readonly rates: Float64Array;
  private readonly y0: Float64Array;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly overrides: Float64Array;
  private readonly ctx: RunContext;
  /** Replaced by each run whose controls change as it goes (its rows are not known before). */
  time: Float64Array;
  private columns: Float64Array[];
  private readonly names: string[];

  constructor(
    private readonly owner: SimulationOwner,
    private readonly plan: Plan,
    private readonly positions: number[],
    names: string[] = [],
  ) {
    const prog = owner.prog;
    this.state = new Float64Array(prog.nSlots);
    const m = prog.nStocks;
    this.rates = new Float64Array(m);
    this.y0 = new Float64Array(m);
    this.k1 = new Float64Array(m);
    this.k2 = new Float64Array(m);
    this.k3 = new Float64Array(m);
    this.overrides = new Float64Array(prog.nSlots).fill(NaN);
    this.seed = plan.seed;
    this.ctx = {
      start: plan.start,
      stop: plan.stop,
      step: 0,
      rng: Array.from({ length: prog.nStreams }, () => new Rng(0)),
      hist: Array.from({ length: prog.nHistories }, () => new Float64Array(plan.steps + 1)),
      pending: new Float64Array(prog.nPrev),
    };
    this.time = new Float64Array(plan.rows);
    for (let r = 0; r < plan.rows; r++) this.time[r] = plan.start + r * plan.saveEvery * plan.dt;
    this.columns = positions.map(() => new Float64Array(plan.rows));
    this.names = names;
  }

  parameterIndex(name: string): number {
    const ps = this.owner.parameterPositions(name);
    if (ps.length !== 1) {
      const m = `'${name}' is an array of ${ps.length} elements; set its elements one by one (name[element])`;
      throw new ModelError(m, [{ severity: 'error', code: 'bad-run-option', message: m }]);
    }
    return ps[0]!;
  }

  set(index: number, value: number): void {
    this.setPosition(index, value);
  }

  setPosition(pos: number, value: number): void {
    if (!this.owner.prog.overridable[pos]) throw new ModelError(`slot ${pos} is not a parameter`);
    this.overrides[pos] = value;
  }

  /** The whole-run function this simulation has checked is primed. */
  private primedRun?: WholeRun;

  /** Run Euler through the per-step functions instead of the generated loop (for comparisons). */
  stepwise = false;
  private wasmRunner?: WasmRunner;
  backend: 'js' | 'wasm' = 'js';
  backendNote?: string;

  /**
   * Time this simulation's runs on both back ends (interleaved rounds after a warm-up, medians)
   * and keep WebAssembly only when it is faster by more than `AUTO_MARGIN`. The back ends give the
   * same bits, so the choice changes the speed only, never a result.
   */
  keepFaster(): void {
    const runner = this.wasmRunner;
    if (!runner) return;
    const perRun = { js: [] as number[], wasm: [] as number[] };
    const timed = (wasm: boolean, n: number) => {
      this.wasmRunner = wasm ? runner : undefined;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) this.run();
      return (performance.now() - t0) / n;
    };
    timed(false, AUTO_WARMUP);
    timed(true, AUTO_WARMUP);
    // Runs per round: about 2 ms of JavaScript, at least one.
    const n = Math.max(1, Math.min(200, Math.round(2 / Math.max(1e-3, timed(false, 1)))));
    for (let r = 0; r < AUTO_ROUNDS; r++) {
      perRun.js.push(timed(false, n));
      perRun.wasm.push(timed(true, n));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const [js, wasm] = [med(perRun.js), med(perRun.wasm)];
    const us = (ms: number) => `${(ms * 1000).toFixed(0)} us`;
    if (wasm * (1 + AUTO_MARGIN) < js) {
      this.wasmRunner = runner;
      this.backendNote = `auto: WebAssembly measured faster (${us(wasm)} per run against ${us(js)})`;
    } else {
      this.wasmRunner = undefined;
      this.backend = 'js';
      this.backendNote = `auto: JavaScript kept (${us(js)} per run against ${us(wasm)} on WebAssembly)`;
    }
  }

  /**
   * Run this simulation and `other` (another simulation of the same model and options, its own
   * parameters) at once on WebAssembly's f64x2 lanes; each gets the results its own `run` gives.
   * Falls back to two runs where the pair loop is not available.
   * @internal experimental: not yet used by the ensemble runner
   */
  runPairAvailable(): boolean {
    return this.wasmRunner?.pairs === true && !this.stepwise;
  }

  runPair(other: SimulationImpl): void {
    const runner = this.wasmRunner;
    const a = this.plan;
    const b = other.plan;
    const same =
      other.owner.prog === this.owner.prog &&
      other.positions.length === this.positions.length &&
      other.positions.every((p, i) => p === this.positions[i]) &&
      a.start === b.start &&
      a.stop === b.stop &&
      a.dt === b.dt &&
      a.steps === b.steps &&
      a.saveEvery === b.saveEvery &&
      a.method === b.method &&
      !a.dynamic &&
      !b.dynamic;
    if (!runner?.pairs || !same || this.stepwise) {
      this.run();
      other.run();
      return;
    }
    this.initialiseOnly();
    other.initialiseOnly();
    runner.runPair(this.state, other.state, this.plan, this.columns, other.columns);
  }

  /** Run the steps on a WebAssembly translation of the program (see `SimulationOptions.backend`). */
  useWasm(program: WasmProgram): void {
    if (this.plan.dynamic) {
      this.backendNote =
        'the run follows a step, end or save interval that changes as it goes (JavaScript only)';
      return;
    }
    this.wasmRunner = new WasmRunner(program, this.positions, this.plan.rows);
    this.backend = 'wasm';
  }
  /** Warm the whole-run function up before its first run (see `primeRun`). */
  prime = true;
  private seed: number;

  setSeed(seed: number): void {
    if (!Number.isFinite(seed)) throw new ModelError(`the seed must be a number, got ${seed}`);
    this.seed = seed;
  }

  clearOverrides(): void {
    this.overrides.fill(NaN);
  }

  private resetContext(): void {
    const X = this.ctx;
    X.step = 0;
    const seeds = this.owner.prog.streamSeeds;
    const salts = this.owner.prog.streamSalts;
    for (let i = 0; i < X.rng.length; i++) {
      const fixed = seeds[i];
      // Stream i of the run seed is its own stream: mixing seed x 7919 + i into one number made
      // stream 7919 of seed 1 the same as stream 0 of seed 2 (large arrays of random draws).
      // A seed given in the equation fixes the stream across runs; elements of an array differ.
      if (fixed !== undefined) X.rng[i]!.reseed(mixSeed(fixed), salts[i]!);
      else X.rng[i]!.reseed(mixSeed(this.seed), i + 1);
    }
  }

  initialiseOnly(): void {
    this.state.fill(0);
    this.resetContext();
    const f = this.owner.generated;
    f.draw(this.state, this.ctx);
    f.init(this.state, this.plan.start, this.plan.dt, this.ctx, this.overrides);
  }

  run(): void {
    const f = this.owner.generated;
    const { start, dt, steps, saveEvery, method } = this.plan;
    const s = this.state;
    const X = this.ctx;
    const r = this.rates;
    const cols = this.columns;
    const pos = this.positions;
    const nOut = pos.length;
    s.fill(0);
    this.resetContext();
    f.draw(s, X);
    f.init(s, start, dt, X, this.overrides);
    if (this.plan.dynamic) {
      this.runDynamic(this.plan.dynamic);
      return;
    }
    if (this.wasmRunner && !this.stepwise) {
      this.wasmRunner.runFrom(s, this.plan, cols);
      return;
    }
    if (!this.stepwise) {
      const whole =
        method === 'euler'
          ? this.owner.prog.wholeEuler
            ? f.eulerRun
            : undefined
          : this.owner.prog.fusedRk
            ? method === 'rk2'
              ? f.rk2Run
              : f.rk4Run
            : undefined;
      if (whole) {
        if (this.prime && this.primedRun !== whole) {
          this.owner.prime(whole, s, X, start, dt);
          this.primedRun = whole;
        }
        whole(s, r, X, start, dt, steps, saveEvery, cols, pos);
        return;
      }
    }
    let row = 0;
    for (let k = 0; ; k++) {
      const t = start + k * dt;
      X.step = k;
      if (k > 0) f.aux(s, t, dt, X);
      if (k % saveEvery === 0) {
        for (let j = 0; j < nOut; j++) cols[j]![row] = s[pos[j]!]!;
        row++;
      }
      if (k === steps) break;
      f.post(s, X);
      this.advance(method, t, dt);
      f.clamp(s);
      f.applyPrevious(s, X);
      f.draw(s, X);
    }
  }

  /**
   * One step of the integration method from t to t + dt: the state at t has been evaluated
   * (auxiliaries and `post`); the rates and, for RK2 and RK4, the stages are computed here.
   */
  private advance(method: Plan['method'], t: number, dt: number): void {
    const f = this.owner.generated;
    const s = this.state;
    const X = this.ctx;
    const r = this.rates;
    const m = this.owner.prog.nStocks;
    if (method === 'euler') {
      f.rates(s, r, t, dt, X);
      for (let j = 0; j < m; j++) s[j] = s[j]! + dt * r[j]!;
    } else if (method === 'rk2') {
      const y0 = this.y0;
      const k1 = this.k1;
      f.rates(s, k1, t, dt, X);
      for (let j = 0; j < m; j++) {
        y0[j] = s[j]!;
        s[j] = y0[j]! + dt * k1[j]!;
      }
      f.aux(s, t + dt, dt, X);
      f.rates(s, r, t + dt, dt, X);
      for (let j = 0; j < m; j++) s[j] = y0[j]! + (dt / 2) * (k1[j]! + r[j]!);
    } else {
      const y0 = this.y0;
      const k1 = this.k1;
      const k2 = this.k2;
      const k3 = this.k3;
      const h = dt / 2;
      f.rates(s, k1, t, dt, X);
      for (let j = 0; j < m; j++) {
        y0[j] = s[j]!;
        s[j] = y0[j]! + h * k1[j]!;
      }
      f.aux(s, t + h, dt, X);
      f.rates(s, k2, t + h, dt, X);
      for (let j = 0; j < m; j++) s[j] = y0[j]! + h * k2[j]!;
      f.aux(s, t + h, dt, X);
      f.rates(s, k3, t + h, dt, X);
      for (let j = 0; j < m; j++) s[j] = y0[j]! + dt * k3[j]!;
      f.aux(s, t + dt, dt, X);
      f.rates(s, r, t + dt, dt, X);
      for (let j = 0; j < m; j++) s[j] = y0[j]! + (dt / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + r[j]!);
    }
  }

  /**
   * A run from the initial state with the end, the step and the save interval read from their
   * variables as the run goes, as Vensim does with FINAL TIME, TIME STEP and SAVEPER: the step from
   * t is the TIME STEP computed at t, a row is saved at t when t reaches the previous saved time
   * plus the SAVEPER computed there, and the run ends at the last t from which a whole step would
   * pass the FINAL TIME computed at t. Time is counted in whole steps from where the step last
   * changed, never accumulated.
   */
  private runDynamic(d: NonNullable<Plan['dynamic']>): void {
    const f = this.owner.generated;
    const plan = this.plan;
    const s = this.state;
    const X = this.ctx;
    const pos = this.positions;
    const nOut = pos.length;
    const times: number[] = [];
    const cols: number[][] = pos.map(() => []);
    const bad = (what: string, v: number, t: number) => {
      const msg = `${what} must stay a positive number during the run; at time ${t} it is ${v}`;
      return new ModelError(msg, [{ severity: 'error', code: 'bad-time-step', message: msg }]);
    };
    let base = plan.start;
    let step = d.dt !== undefined ? s[d.dt]! : plan.dt;
    let j = 0;
    let t = base;
    let nextSave = t;
    for (let k = 0; ; k++) {
      X.step = k;
      if (k > 0) f.aux(s, t, step, X);
      const dt = d.dt !== undefined ? s[d.dt]! : plan.dt;
      if (!(dt > 0) || !Number.isFinite(dt)) throw bad('TIME STEP', dt, t);
      const tol = 1e-6 * dt;
      if (t >= nextSave - tol) {
        times.push(t);
        for (let q = 0; q < nOut; q++) cols[q]!.push(s[pos[q]!]!);
        const every = d.save !== undefined ? s[d.save]! : plan.saveEvery * plan.dt;
        if (!(every > 0) || !Number.isFinite(every)) throw bad('SAVEPER', every, t);
        nextSave = t + every;
        if (times.length * Math.max(1, nOut) > d.maxCells)
          throw new BudgetError(
            'savedCells',
            'the values the run would save',
            times.length * nOut,
            d.maxCells,
          );
      }
      const stop = d.stop !== undefined ? s[d.stop]! : plan.stop;
      if (!(t + dt <= stop + tol)) break;
      if (k >= d.maxSteps)
        throw new BudgetError(
          'steps',
          `too many steps: the run from ${plan.start} has passed time ${t}`,
          k,
          d.maxSteps,
        );
      f.post(s, X);
      this.advance(plan.method, t, dt);
      f.clamp(s);
      f.applyPrevious(s, X);
      f.draw(s, X);
      if (dt !== step) {
        base = t;
        step = dt;
        j = 0;
      }
      t = base + ++j * step;
    }
    // The same buffers when the run saved as many rows as the last (series views stay valid, as
    // for a fixed step); new ones, and so a new `time`, when the saved times changed.
    if (times.length === this.time.length) {
      this.time.set(times);
      cols.forEach((c, q) => this.columns[q]!.set(c));
    } else {
      this.time = Float64Array.from(times);
      this.columns = cols.map((c) => Float64Array.from(c));
    }
  }

  series(name: string): Float64Array {
    const key = outputKey(name);
    const i = this.names.findIndex((n) => outputKey(n) === key);
    if (i < 0) {
      const m = `'${name}' is not among this simulation's outputs`;
      throw new ModelError(m, [{ severity: 'error', code: 'unknown-variable', message: m }]);
    }
    return this.columns[i]!;
  }

  results(): Results {
    const names = [...this.names];
    const columns = this.columns.map((c) => Float64Array.from(c));
    const time = Float64Array.from(this.time);
    const index = new Map<string, number>();
    names.forEach((n, i) => index.set(outputKey(n), i));
    return {
      names,
      time,
      columns,
      column(name: string) {
        const i = index.get(outputKey(name));
        return i === undefined ? undefined : columns[i];
      },
    };
  }
}

/** The image of a simulation of a model compiled here (see `SimulationImage`). */
export function simulationImage(
  compiled: CompiledModel,
  options: Omit<RunOptions, 'overrides'> & { backend?: Backend } = {},
): SimulationImage | undefined {
  return compiled instanceof Compiled ? compiled.image(options) : undefined;
}
