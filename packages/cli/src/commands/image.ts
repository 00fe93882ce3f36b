import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { defineInspect } from '../inspect-each.js';
import { defineBuild } from './build.js';
import { defineImageHistory } from './image-history.js';
import { defineImageImport } from './image-import.js';
import { defineImagePrune } from './image-prune.js';
import { defineImageRemove } from './image-remove.js';
import { defineImageSave } from './image-save.js';
import { defineImageTag } from './image-tag.js';
import { defineImageList } from './images.js';
import { registerLoad } from './load.js';
import { definePull, definePush } from './registry.js';

/** The top-level image commands (rmi, tag, history, save, import) and the `image` group. */
export function registerImageCommands(program: Command, ctx: CommandContext): void {
  defineImageRemove(program, 'rmi', ctx);
  defineImageTag(program, 'tag', ctx);
  defineImageHistory(program, 'history', ctx);
  defineImageSave(program, 'save', ctx);
  defineImageImport(program, 'import', ctx);

  const image = program.command('image').description('Manage images');
  defineImageList(image, 'ls', ctx).alias('list');
  defineBuild(image, ctx);
  defineImageRemove(image, 'rm', ctx).alias('remove');
  defineImagePrune(image, ctx);
  defineImageHistory(image, 'history', ctx);
  defineImageTag(image, 'tag', ctx);
  defineImageSave(image, 'save', ctx);
  defineImageImport(image, 'import', ctx);
  registerLoad(image, ctx);
  definePull(image, ctx);
  definePush(image, ctx);
  defineInspect(image, 'image', ctx, (name) => ctx.client().inspectImage(name));
}
