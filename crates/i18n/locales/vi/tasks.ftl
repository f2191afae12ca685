# Words about tasks that the core composes.

# A recurring task's rule.
recurrence-monthly = Hằng tháng, hạn ngày { $day }
recurrence-quarterly = Hằng quý, hạn ngày { $day } tháng thứ { $month } của quý
recurrence-yearly = Hằng năm, hạn ngày { $day }/{ $month }
