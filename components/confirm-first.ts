'use client';

import type { FormEvent } from 'react';

/** Returns an `onSubmit` handler that lets the form submit only when the user confirms `question`. */
export function confirmFirst(question: string) {
  return (event: FormEvent<HTMLFormElement>) => {
    if (!window.confirm(question)) {
      event.preventDefault();
    }
  };
}
