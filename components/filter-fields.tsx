import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { cn } from '@/lib/utils';

/** One choice of a FilterSelect. */
export interface FilterChoice {
  value: string;
  label: string;
}

/** Renders the free-text search field of a list's filter form, named `q`. */
export function SearchField({ id, placeholder, defaultValue }: { id: string; placeholder: string; defaultValue: string | undefined }) {
  return (
    <div className="flex min-w-60 flex-1 flex-col gap-1.5">
      <Label htmlFor={id}>Search</Label>
      <Input id={id} name="q" type="search" placeholder={placeholder} defaultValue={defaultValue ?? ''} />
    </div>
  );
}

/**
 * Renders a labelled select of a list's filter form. Unless `anyLabel` is null, the
 * first choice is an empty value that leaves the filter off.
 */
export function FilterSelect(props: {
  id: string;
  name: string;
  label: string;
  choices: readonly FilterChoice[];
  defaultValue: string | undefined;
  /** Tailwind width class, such as `w-40`. */
  width?: string;
  anyLabel?: string | null;
}) {
  const anyLabel = props.anyLabel === undefined ? 'Any' : props.anyLabel;

  return (
    <div className={cn('flex flex-col gap-1.5', props.width ?? 'w-40')}>
      <Label htmlFor={props.id}>{props.label}</Label>
      <Select id={props.id} name={props.name} defaultValue={props.defaultValue ?? ''}>
        {anyLabel !== null && <option value="">{anyLabel}</option>}
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </Select>
    </div>
  );
}

/** Turns plain values into choices that show the value itself. */
export function valueChoices(values: readonly string[]): FilterChoice[] {
  return values.map((value) => ({ value, label: value }));
}
