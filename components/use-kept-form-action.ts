'use client';

import { startTransition, useActionState, type FormEvent } from 'react';

/**
 * Wraps `useActionState` for forms whose fields must keep their values after a
 * submission. React 19 resets a form after its action runs, and that reset also
 * clears controlled inputs in the DOM while their state keeps the old value. So
 * with JavaScript the returned `onSubmit` calls the action itself, which skips the
 * reset. Without JavaScript the form still posts to `formAction` as usual.
 */
export function useKeptFormAction<State extends object>(
  action: (previous: Awaited<State>, formData: FormData) => Promise<State>,
  initialState: Awaited<State>,
) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialState);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(formData));
  }

  return { state, formAction, pending, onSubmit };
}
