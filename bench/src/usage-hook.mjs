// Preloaded (node --import) into a measured process: on exit it writes what the process used to the
// file named by VOXFORM_BENCH_USAGE, so the benchmark can read the peak RSS and CPU time of a command.
import { writeFileSync } from 'node:fs';

const file = process.env.VOXFORM_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
  });
}
