import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@berth/api';

/** A 64-hex container ID whose 12-char short form is never all digits (it would read as a number). */
export function generateContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d{12}/.test(id)) return id;
  }
}

const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validates a user-given name and returns it with Docker's leading slash. */
export function normalizeContainerName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}

const ADJECTIVES = [
  'brave', 'calm', 'clever', 'eager', 'fervent', 'gallant', 'happy', 'jolly', 'keen', 'lucid', 'modest', 'nimble',
  'optimistic', 'patient', 'quiet', 'relaxed', 'serene', 'stoic', 'tender', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
];
const SURNAMES = [
  'babbage', 'curie', 'dijkstra', 'euler', 'faraday', 'gauss', 'hopper', 'hypatia', 'kepler', 'lovelace', 'meitner', 'noether',
  'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'volta', 'wozniak', 'yalow', 'zuse', 'lamarr', 'galileo', 'kowalevski',
];

/** A random "adjective_surname" name, with a digit appended after collisions as Docker does. */
export function generateContainerName(taken: (name: string) => boolean): string {
  const pick = (list: string[]) => list[randomBytes(1)[0]! % list.length];
  for (let attempt = 0; ; attempt++) {
    const base = `/${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
    const name = attempt < 10 ? base : `${base}${randomBytes(1)[0]! % 10}`;
    if (!taken(name)) return name;
  }
}
