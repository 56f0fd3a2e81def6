// Binary media type matching for the API's BinaryMediaTypes: `image/png`, `image/*` and `*/*`.

/** True when any of the `accept`-style or content-type values in `header` matches one of `types`. */
export function matchesMediaType(types: readonly string[], header: string | undefined): boolean {
  if (!header || types.length === 0) return false;
  const offered = header.split(',').map((v) => v.split(';')[0]!.trim().toLowerCase());
  return types.some((t) => {
    const [type, sub] = t.toLowerCase().split('/');
    return offered.some((o) => {
      const [ot, os] = o.split('/');
      return (type === '*' || type === ot) && (sub === '*' || sub === os);
    });
  });
}
