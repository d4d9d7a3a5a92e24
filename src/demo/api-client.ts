/** The demo acts as its people do: through the HTTP API, each with their own key. */
export class ApiClient {
  requests = 0;

  constructor(private readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(key: string, method: string, path: string, body?: unknown): Promise<T> {
    this.requests++;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every item of a paged list. */
  async all<T>(key: string, path: string): Promise<T[]> {
    const items: T[] = [];
    const joiner = path.includes('?') ? '&' : '?';
    for (let offset = 0; ; offset += 200) {
      const page = await this.call<{ items: T[]; total: number }>(
        key,
        'GET',
        `${path}${joiner}limit=200&offset=${offset}`,
      );
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }
}
