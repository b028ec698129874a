// How GitHub's runner reads workflow commands out of a step's output, ported from its source so
// that tests can check what a log line would make the runner do:
//
//   actions/runner src/Runner.Sdk/ProcessInvoker.cs @ 0acefcf19943432c1830b40cc7707a7129296b32
//     StartReadStream: each line of stdout and stderr comes from StreamReader.ReadLine (a line
//     ends at "\n", "\r" or "\r\n").
//   actions/runner src/Runner.Common/ActionCommand.cs @ 079cdb1d05fe0ec50f8c51de5a4fa51d0eb189b0
//     TryParseV2 (`::name k=v,…::data` after TrimStart) and TryParse (the legacy `##[name k=v;…]data`
//     anywhere in the line), their unescaping.
//   actions/runner src/Runner.Worker/ActionCommandManager.cs @ 02523b9a60a24fe13364739abefe2255c5a6b758
//     TryProcessCommand: V2 first, then the legacy form; names compared ignoring case; the
//     registered names; `stop-commands` registers its data as the resume token and, until a
//     command with that name, nothing else is processed.
//
// The runner's StartsWith/IndexOf are culture-sensitive .NET calls, and under ICU those skip
// "ignorable" characters (format characters such as U+00AD or U+200B). With `ignorable: true`
// the parser drops such characters before matching, so it finds at least what the runner could.

/** The commands ActionCommandManager registers (its extensions; `internal-set-repo-path` is off). */
export const REGISTERED = ['stop-commands', 'set-env', 'set-output', 'save-state', 'add-mask', 'add-path', 'add-matcher',
  'remove-matcher', 'debug', 'warning', 'error', 'notice', 'group', 'endgroup', 'echo'];

// Char.IsWhiteSpace, which String.TrimStart() trims.
const LEADING_WHITE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
// Format characters (Cf), variation selectors and the combining grapheme joiner.
const IGNORABLE = /[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb]|\u{110bd}|\u{110cd}|[\u{13430}-\u{1343f}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0001}\u{e0020}-\u{e007f}\u{e0100}-\u{e01ef}]/gu;

const replaceAll = (s, pairs) => pairs.reduce((t, [token, replacement]) => t.split(replacement).join(token), s);
const ESCAPE = [[';', '%3B'], ['\r', '%0D'], ['\n', '%0A'], [']', '%5D'], ['%', '%25']];
const ESCAPE_DATA = [['\r', '%0D'], ['\n', '%0A'], ['%', '%25']];
const ESCAPE_PROPERTY = [['\r', '%0D'], ['\n', '%0A'], [':', '%3A'], [',', '%2C'], ['%', '%25']];

/** The lines the runner reads from a stream's text (ReadLine: a last empty piece is no line). */
export function runnerLines(text) {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function name(cmdInfo) {
  const space = cmdInfo.indexOf(' ');
  return { commandName: space < 0 ? cmdInfo : cmdInfo.slice(0, space), space };
}

/** ActionCommand.TryParseV2 */
export function tryParseV2(message, registered) {
  if (!message) return null;
  message = message.replace(LEADING_WHITE_SPACE, '');
  if (!message.startsWith('::')) return null;
  const end = message.indexOf('::', 2);
  if (end < 0) return null;
  const cmdInfo = message.slice(2, end);
  const { commandName, space } = name(cmdInfo);
  if (!registered.has(commandName.toLowerCase())) return null;
  const properties = {};
  if (space > 0) {
    for (const p of cmdInfo.slice(space + 1).trim().split(',').filter(Boolean)) {
      const at = p.indexOf('=');
      if (at > 0 && at < p.length - 1) properties[p.slice(0, at).toLowerCase()] = replaceAll(p.slice(at + 1), ESCAPE_PROPERTY);
    }
  }
  return { command: commandName, properties, data: replaceAll(message.slice(end + 2), ESCAPE_DATA), form: '::' };
}

/** ActionCommand.TryParse (the legacy form) */
export function tryParse(message, registered) {
  if (!message) return null;
  const prefix = message.indexOf('##[');
  if (prefix < 0) return null;
  const rb = message.indexOf(']', prefix);
  if (rb < 0) return null;
  const cmdInfo = message.slice(prefix + 3, rb);
  const { commandName, space } = name(cmdInfo);
  if (!registered.has(commandName.toLowerCase())) return null;
  const properties = {};
  if (space > 0) {
    for (const p of cmdInfo.slice(space + 1).split(';').filter(Boolean)) {
      const at = p.indexOf('=');
      if (at > 0 && at < p.length - 1) properties[p.slice(0, at).toLowerCase()] = replaceAll(p.slice(at + 1), ESCAPE);
    }
  }
  return { command: commandName, properties, data: replaceAll(message.slice(rb + 1), ESCAPE), form: '##[' };
}

/**
 * ActionCommandManager.TryProcessCommand over every line of `text`: the commands the runner
 * would carry out, in order (`stop-commands` and its resume included), and whether it is left
 * with commands stopped.
 */
export function runnerCommands(text, { ignorable = false } = {}) {
  const registered = new Set(REGISTERED);
  const commands = [];
  let stopToken = null;
  for (const raw of runnerLines(text)) {
    const line = ignorable ? raw.replace(IGNORABLE, '') : raw;
    const command = tryParseV2(line, registered) ?? tryParse(line, registered);
    if (!command) continue;
    command.line = raw;
    if (stopToken !== null) {
      if (stopToken !== '' && command.command.toLowerCase() === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = null;
        commands.push({ ...command, command: 'resume-commands' });
      }
      continue;
    }
    if (command.command.toLowerCase() === 'stop-commands') {
      stopToken = command.data;
      registered.add(stopToken.toLowerCase());
    }
    commands.push(command);
  }
  return { commands, stopped: stopToken !== null };
}
