import { registerDecorator, ValidationOptions } from 'class-validator';

/** A URL that parses and uses one of the given protocols (e.g. `postgres:`), with a host. */
export function IsUrlWithProtocol(protocols: string[], options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isUrlWithProtocol',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return protocols.includes(url.protocol) && url.hostname.length > 0;
          } catch {
            return false;
          }
        },
        defaultMessage: () => `must be a URL with protocol ${protocols.join(' or ')}`,
      },
    });
}
