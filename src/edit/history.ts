/**
 * Undo and redo over model versions. Each entry is a whole `Model` (edits share what they do not
 * change, so this is cheap); typing into one field is one entry, not one per keystroke, when the
 * caller gives the same `group` for consecutive edits.
 */
import type { Model } from '../model/types.js';

interface Entry {
  model: Model;
  label: string;
  group?: string;
}

export class EditHistory {
  private readonly done: Entry[] = [];
  private undone: Entry[] = [];
  private current: Model;
  /** The version last saved (or opened): `dirty` compares against it. */
  private saved: Model;

  constructor(
    model: Model,
    private readonly limit = 500,
  ) {
    this.current = model;
    this.saved = model;
  }

  get model(): Model {
    return this.current;
  }

  /** The version last saved (or opened). */
  get savedModel(): Model {
    return this.saved;
  }

  /** Has the model changed since it was opened or last saved? */
  get dirty(): boolean {
    return this.current !== this.saved;
  }

  /**
   * Make `model` the current version. With a `group` equal to the last entry's, the two merge
   * (one undo step for a burst of typing in one field).
   */
  push(model: Model, label: string, group?: string): void {
    if (model === this.current) return;
    const last = this.done[this.done.length - 1];
    if (group !== undefined && last && last.group === group && this.undone.length === 0) {
      // The burst's starting point stays; only the current version moves on.
      this.current = model;
      return;
    }
    this.done.push({ model: this.current, label, group });
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
    this.current = model;
  }

  /** End the current typing burst: the next edit starts a new undo step. */
  seal(): void {
    const last = this.done[this.done.length - 1];
    if (last) delete last.group;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** What undo would take back, or undefined. */
  get undoLabel(): string | undefined {
    return this.done[this.done.length - 1]?.label;
  }

  get redoLabel(): string | undefined {
    return this.undone[this.undone.length - 1]?.label;
  }

  undo(): Model | undefined {
    const e = this.done.pop();
    if (!e) return undefined;
    this.undone.push({ model: this.current, label: e.label });
    this.current = e.model;
    return this.current;
  }

  redo(): Model | undefined {
    const e = this.undone.pop();
    if (!e) return undefined;
    this.done.push({ model: this.current, label: e.label });
    this.current = e.model;
    return this.current;
  }

  /** The current version has been saved. */
  markSaved(): void {
    this.saved = this.current;
  }
}
