/** The parts of a Dockerfile's stages the deploy tests check or run outside Docker. */
export interface DockerStage {
  name: string | undefined;
  /** RUN lines, as given to the shell. */
  run: string[];
  /** ENV KEY=VALUE pairs (unquoted values only, as this repo's Dockerfile writes them). */
  env: Record<string, string>;
  /** The exec-form CMD. */
  cmd: string[];
  /** The exec-form HEALTHCHECK command. */
  healthcheck: string[];
}

export function dockerfileStages(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  // Continuation lines join their instruction; comments are dropped.
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [, instruction = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'FROM':
        stages.push({ name: /\bAS\s+(\S+)/i.exec(rest)?.[1], run: [], env: {}, cmd: [], healthcheck: [] });
        break;
      case 'RUN':
        stage?.run.push(rest);
        break;
      case 'ENV':
        for (const pair of rest.split(/\s+/)) {
          const eq = pair.indexOf('=');
          if (stage && eq > 0) stage.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        break;
      case 'CMD':
        if (stage) stage.cmd = JSON.parse(rest) as string[];
        break;
      case 'HEALTHCHECK': {
        const exec = /\bCMD\s+(\[.*\])$/.exec(rest);
        if (stage && exec) stage.healthcheck = JSON.parse(exec[1]!) as string[];
        break;
      }
    }
  }
  return stages;
}
