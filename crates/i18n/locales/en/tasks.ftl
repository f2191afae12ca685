# Words about tasks that the core composes.

# A recurring task's rule.
recurrence-monthly = Monthly, due on day { $day }
recurrence-quarterly = Quarterly, due on day { $day } of month { $month } of the quarter
recurrence-yearly = Yearly, due on { $day }/{ $month } (day/month)
