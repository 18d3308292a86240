// --save-model and --emit-python / --emit-r of `mixscope fit`: the model file is a new file (an existing one only
// with --force, the data file never), and the scripts come from the engine's emitters.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { emitPython } from '../engine/model/emit/python';
import { emitR } from '../engine/model/emit/r';
import { savedModelJson, type SavedModel } from '../engine/model/schema';
import { UsageError } from './flags';

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

/** Refuses a model path that is an input file, a folder, or (without --force) an existing file. */
export function checkModelTarget(target: string, force: boolean, inputs: string[]): void {
  const input = inputs.find((f) => sameFile(f, target));
  if (input) throw new UsageError(`--save-model ${target} is the data${input === inputs[0] ? '' : ' labels'} file, which is never written: choose another name (e.g. ${path.basename(inputs[0]).replace(/\.[^.]*$/, '')}.model.json).`);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new UsageError(`--save-model ${target} is a folder: give a file name (e.g. ${path.join(target, 'model.json')}).`);
  if (stat && !force) throw new UsageError(`--save-model ${target} already exists: choose another name, or add --force to replace it.`);
  const folder = path.dirname(path.resolve(target));
  if (!fs.existsSync(folder)) throw new UsageError(`--save-model ${target}: the folder ${folder} does not exist.`);
}

/** Writes the model; without --force the write itself refuses a file that appeared since the check. */
export function writeSavedModel(target: string, model: SavedModel, force: boolean): void {
  try {
    fs.writeFileSync(target, savedModelJson(model), { flag: force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--save-model ${target} already exists: choose another name, or add --force to replace it.`);
    throw new UsageError(`--save-model ${target} could not be written: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message}.`);
  }
}

/** The script that rebuilds the model and reads `dataFile` as the fit did (its absolute path is the default input). */
export function emitScript(language: 'python' | 'r', model: SavedModel, dataFile: string): string {
  const file = path.resolve(dataFile);
  return language === 'python' ? emitPython(model, file) : emitR(model, file);
}
