import { defineCommand } from './command.js';
import { progressPrinter } from './internal/format.js';

export const imagesCommand = defineCommand({
  name: 'images',
  summary: 'the image each service runs under the Docker driver, and whether the engine holds it',
  args: '[build]',
  details: 'build: builds the local images from the native binaries (for engines that cannot pull).',
  options: {},
  async run({ args, home }) {
    // dockerode and the image builder load only for this command.
    const { images } = await import('./internal/images.js');
    process.stdout.write(await images(home, args[0], progressPrinter()));
  },
});
