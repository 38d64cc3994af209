/** Guard: well-known destructive operations, matched on parsed commands (so `echo rm -rf /` is data). */
import { DYNAMIC, programName, type Word } from './words.js';

/** Block devices and raw memory: writing to them destroys disks or the running system. */
export const DEVICE_PATH =
  /^\/dev\/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|disk\d|rdisk\d|disk\/|md\d|md\/|dm-\d|mapper\/|loop\d|root$|mem$|kmem$|port$)/;

/** Programs that download content (a download piped into a shell runs code nobody checked). */
export const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'xh']);

/** Collapses a path lexically: `//usr/../` → `/`. Returns `null` for relative paths. */
function resolveAbsolute(path: string): string | null {
  if (!path.startsWith('/')) return null;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * Describes why deleting or recursively changing `word` would hit the whole system or a home directory:
 * `/`, `/*`, `/usr/..`, `~`, `~/`, `~user`, `$HOME`, `"${HOME}"/*`, or a word that is only expansions
 * followed by `/` or `/*` (empty variable → `/`). Returns `null` otherwise.
 */
export function dangerousTarget(word: Word): string | null {
  const raw = word.raw.replace(/["']/g, '');
  if (/^(?:\$HOME|\$\{HOME\})(?:\/\.?|\/\*)?$/.test(raw)) return 'the home directory';
  if (word.dynamic !== null) {
    return /^\u0000+\/\*?$/.test(word.text) ? 'a path that is "/" whenever the variable is empty' : null;
  }
  const text = word.text;
  if (word.tilde && /^~[A-Za-z0-9_.-]*(?:\/\.?|\/\*)?$/.test(text)) return 'a home directory';
  let base = text;
  if (word.glob && base.endsWith('/*')) base = base.slice(0, -1);
  const resolved = resolveAbsolute(base);
  if (resolved === '/') return 'the root directory';
  return null;
}

/** A guard hit: what was found. */
export type GuardHit = string;

function recursiveDelete(args: readonly Word[], name: string, letters: RegExp): GuardHit | null {
  // GNU tools permute options, so `rm / -rf` is recursive too: collect flags from every word before `--`.
  let recursive = false;
  let endOfOptions = false;
  const targets: Word[] = [];
  for (const word of args.slice(1)) {
    const t = word.dynamic === null ? word.text : null;
    if (!endOfOptions && t === '--') {
      endOfOptions = true;
      continue;
    }
    if (!endOfOptions && t !== null && t.startsWith('-') && t.length > 1) {
      if (t === '--no-preserve-root') return `${name} --no-preserve-root`;
      if (t === '--recursive' || (!t.startsWith('--') && letters.test(t))) recursive = true;
      continue;
    }
    targets.push(word);
  }
  if (!recursive) return null;
  for (const word of targets) {
    const target = dangerousTarget(word);
    if (target) return `recursive ${name} of ${target} (${word.raw})`;
  }
  return null;
}

/**
 * Checks one simple command (program already normalised, `args[0]` is the program word) against the
 * guard. Returns a description of the dangerous operation, or `null`.
 */
export function guardSimpleCommand(program: string, args: readonly Word[]): GuardHit | null {
  const name = program.toLowerCase();
  switch (name) {
    case 'rm':
      return recursiveDelete(args, 'rm', /[rR]/);
    case 'chmod':
    case 'chown':
    case 'chgrp':
      // Only -R: chmod's `-r` is a mode (remove read permission).
      return recursiveDelete(args, name, /R/);
    case 'dd':
      for (const word of args.slice(1)) {
        if (word.text.startsWith('of=') && DEVICE_PATH.test(word.text.slice(3))) return `dd writing to ${word.text.slice(3)}`;
      }
      return null;
    case 'shutdown':
    case 'reboot':
    case 'halt':
    case 'poweroff':
      return `${name} stops the machine`;
    case 'init':
    case 'telinit':
      return args.slice(1).some((w) => w.text === '0' || w.text === '6') ? `${name} ${args[1]?.text ?? ''} stops the machine` : null;
    case 'systemctl':
      return args.slice(1).some((w) => ['poweroff', 'reboot', 'halt', 'kexec'].includes(w.text))
        ? 'systemctl stops the machine'
        : null;
    case 'mke2fs':
    case 'mkswap':
    case 'wipefs':
    case 'blkdiscard':
      return `${name} destroys a filesystem`;
    default:
      if (name.startsWith('mkfs')) return `${name} creates a filesystem (destroying what was there)`;
      return null;
  }
}

/** A redirection target that writes to a block device. */
export function deviceRedirect(target: Word): GuardHit | null {
  if (target.dynamic === null && DEVICE_PATH.test(target.text)) return `redirection writing to ${target.text}`;
  return null;
}

/** Whether the word, taken as a command name, is a downloader. */
export function isDownloader(text: string): boolean {
  return !text.includes(DYNAMIC) && DOWNLOADERS.has(programName(text).toLowerCase());
}
