import type { SavedModel } from '../schema';
export function emitPython(model: SavedModel, dataFile: string): string {
  return `# TODO ${model.family} ${dataFile}\n`;
}
