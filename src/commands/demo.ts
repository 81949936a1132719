export async function run(_opts: unknown): Promise<number> {
  return 0;
}
