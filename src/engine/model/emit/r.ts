import type { SavedModel } from '../schema';
export function emitR(model: SavedModel, dataFile: string): string {
  return `# TODO ${model.family} ${dataFile}\n`;
}
