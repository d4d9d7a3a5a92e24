import type { FieldError } from '../../../common/validation/validation-errors.js';
import { errorsOf } from '../components.js';

/** A labelled picker (team, channel, campaign, weeks): never an id typed by hand; its errors beside it. */
export function Select(props: {
  name: string;
  label: string;
  value?: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  /** The first option, meaning "no filter"; none when a value is required. */
  any?: string;
  errors?: FieldError[];
}) {
  const id = `field-${props.name}`;
  const errors = errorsOf(props.errors ?? [], props.name);
  return (
    <div class={errors.length ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={errors.length ? `${id}-error` : undefined}
      >
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
      {errors.length > 0 && (
        <p class="error" id={`${id}-error`}>
          {errors.map((e) => e.message).join('; ')}
        </p>
      )}
    </div>
  );
}
