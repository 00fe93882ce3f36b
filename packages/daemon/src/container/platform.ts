import { InvalidArgumentError, NotFoundError } from '@berth/api';
import type { ImageConfig } from '@berth/oci';

/** containerd's normalisation of architecture names, and Node's names for the host's. */
const ARCHITECTURES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', x64: 'amd64', aarch64: 'arm64', i386: '386', ia32: '386' };
const normalizeArch = (arch: string): string => ARCHITECTURES[arch] ?? arch;

/**
 * `--platform` (the create request's `platform` query): the image must be of that OS, architecture
 * (the host's when only an OS is given) and variant, or it is not found, as dockerd's GetImage says.
 */
export function checkImagePlatform(requested: string, imageRef: string, image: Pick<ImageConfig, 'os' | 'architecture' | 'variant'>): void {
  const parts = requested.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((part) => !/^[a-z0-9_.-]+$/.test(part))) {
    throw new InvalidArgumentError(`error parsing specified platform: ${JSON.stringify(requested)}: unknown operating system or architecture`);
  }
  const [os, arch = process.arch, variant] = parts as [string, string?, string?];
  const wanted = { os, architecture: normalizeArch(arch), variant };
  const matches =
    wanted.os === image.os && wanted.architecture === normalizeArch(image.architecture) && (!variant || variant === (image.variant ?? ''));
  if (!matches) {
    const format = (p: { os: string; architecture: string; variant?: string }) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');
    throw new NotFoundError(
      `image with reference ${imageRef} was found but does not match the specified platform: wanted ${format(wanted)}, actual: ${format(image)}`,
    );
  }
}
